"""`levier check --deploy`: levier's own production checks beside Django's."""

from django.core.checks import Error, Tags, register

from levier.startup import secret_key_fix, secret_key_problem


@register(Tags.security, deploy=True)
def check_secret_key(app_configs=None, **kwargs):
    problem = secret_key_problem()
    if problem is None:
        return []
    return [Error(problem, hint=secret_key_fix(), id="levier.E001")]
