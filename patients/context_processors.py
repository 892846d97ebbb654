from .offline import MANIFEST_URL, SERVICE_WORKER_SCOPE, SERVICE_WORKER_URL, device_key


def patient_app(request):
    """What a patient's pages need to run as the app on their phone: the manifest, the worker
    and the opaque key that tells the worker whose pages it keeps."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_patient:
        return {}
    return {
        "patient_app": {
            "manifest": MANIFEST_URL,
            "worker": SERVICE_WORKER_URL,
            "scope": SERVICE_WORKER_SCOPE,
            "device": device_key(user),
        }
    }
