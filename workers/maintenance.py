from flask_babel import gettext as _

from plaza import mail as email
from plaza.tasks import services as tasks


def send_test_email(task_id: str, address: str) -> None:
    """Send one e-mail so an admin can see that SMTP works; progress shows on the task page."""
    tasks.report(task_id, 10, _("Connecting to the mail server…"))
    try:
        email.send(address, "test_email", None)
    except Exception as error:
        tasks.finish(task_id, _("The mail server refused: %(error)s", error=str(error)[:300]), failed=True)
        raise
    tasks.finish(task_id, _("Sent to %(address)s.", address=address))
