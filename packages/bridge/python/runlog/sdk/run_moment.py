"""`resume_from` / `fork_from` ("<run id>?_step=<n>"): checked in the client as W&B's settings check
them (wandb/sdk/lib/run_moment.py), so a malformed value raises a ValueError before a bridge starts.
The bridge then applies the store's rules (the run exists, the step is a whole number it has)."""
from urllib import parse

from ..errors import ValidationError

FORMAT = "expected format '<run>?<metric>=<numeric_value>'. Currently, only the metric '_step' is supported. Example: 'ans3bsax?_step=123'."


def check_run_moment(setting, value):
    """A string is parsed as W&B parses it; anything else is left for the bridge to refuse (INVALID_ARGUMENT)."""
    if not isinstance(value, str):
        return
    error = ValidationError(f"{setting}: could not parse passed run moment string {value!r}, {FORMAT}")
    parsed = parse.urlparse("runmoment://" + value)
    if not parsed.netloc or parsed.path or parsed.params or parsed.fragment:
        raise error
    query = parse.parse_qs(parsed.query)
    if list(query) != ["_step"]:
        raise error
    number = query["_step"][0]
    try:
        int(number) if number.isdigit() else float(number)
    except ValueError:
        raise error from None


def check_branching(resume, resume_from, fork_from, run_id):
    """W&B's rules between id, resume, resume_from and fork_from (each a ValidationError there)."""
    check_run_moment("resume_from", resume_from)
    check_run_moment("fork_from", fork_from)
    if sum(option is not None for option in (resume, resume_from, fork_from)) > 1:
        raise ValidationError("`fork_from`, `resume`, or `resume_from` are mutually exclusive. Please specify only one of them.")
    if run_id is not None and isinstance(fork_from, str) and fork_from.partition("?")[0] == run_id:
        raise ValidationError("Provided `run_id` is the same as the run to `fork_from`. Please provide a different `run_id` or remove the "
                              "`run_id` argument. If you want to rewind the current run, please use `resume_from` instead.")
    if run_id is not None and isinstance(resume_from, str) and resume_from.partition("?")[0] != run_id:
        raise ValidationError("Both `run_id` and `resume_from` have been specified with different ids.")
