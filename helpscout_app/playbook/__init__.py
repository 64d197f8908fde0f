"""The team's playbook: which situation a buyer's message is in, and what to do about it."""

from helpscout_app.playbook.advice import Advice, advise
from helpscout_app.playbook.situations import Classification, Situation, classify_message

__all__ = ["Advice", "Classification", "Situation", "advise", "classify_message"]
