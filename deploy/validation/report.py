"""Collects check results and prints one line per check."""


class Report:
    def __init__(self, quiet=False):
        self.passed = 0
        self.failures = []
        self.quiet = quiet

    def check(self, condition, what, detail=""):
        """Records `what` as passed when `condition` holds, else as failed with `detail`."""
        if condition:
            self.passed += 1
            if not self.quiet:
                print(f"  ok    {what}")
        else:
            self.failures.append(f"{what}: {detail}" if detail else what)
            if not self.quiet:
                print(f"  FAIL  {what}" + (f": {detail}" if detail else ""))
        return bool(condition)

    def section(self, title):
        if not self.quiet:
            print(title)

    @property
    def ok(self):
        return not self.failures

    def guarded(self, what, function, *arguments):
        """Runs a group of checks; a file too broken to check (e.g. a wrong type) is one failure."""
        try:
            function(*arguments, self)
        except Exception as error:  # noqa: BLE001 - any crash of a check is a failed check
            self.check(False, f"{what} could be checked", f"{type(error).__name__}: {error}")
