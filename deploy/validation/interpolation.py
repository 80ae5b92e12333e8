"""Compose file interpolation: ${VAR}, ${VAR:-default}, ${VAR-default} and $$ (a literal $)."""
import re

_PATTERN = re.compile(r"\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\})")


def interpolate(value, environment):
    """The value as Compose would pass it, with `environment` as the shell environment."""
    if not isinstance(value, str):
        return value

    def replace(match):
        dollar, name, operator, default = match.groups()
        if dollar:
            return "$"
        current = environment.get(name)
        if operator == ":-" and not current:
            return default
        if operator == "-" and current is None:
            return default
        return current or ""

    return _PATTERN.sub(replace, value)


def environment_of(service, environment):
    """A compose service's environment (mapping or list form), interpolated, values as strings."""
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) if "=" in item else (item, "") for item in raw)
    return {k: "" if v is None else str(interpolate(v, environment) if isinstance(v, str) else v)
            for k, v in raw.items()}
