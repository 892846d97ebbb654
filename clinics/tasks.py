from django.tasks import task

from . import services


@task
def sign_in_link_deliver(
    email: str, base_url: str, request_id: int, purpose: str = "sign_in"
) -> None:
    """Find whose the address is, away from the request, and email them a link if the account
    may have one: the page that asked answered the same whoever it was."""
    services.sign_in_link_send(
        email=email, base_url=base_url, request_id=request_id, purpose=purpose
    )
