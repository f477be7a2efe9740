"""The Postfix/Sendmail milter front end: `mailwarden serve milter --config FILE`."""

from mailwarden.frontends.milter.actions import MilterSettings
from mailwarden.frontends.milter.server import MilterServer

__all__ = ["MilterServer", "MilterSettings"]
