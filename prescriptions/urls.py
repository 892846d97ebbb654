app_name = "prescriptions"

urlpatterns = []
