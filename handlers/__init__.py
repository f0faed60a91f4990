"""The routing table: every command, event, action, view, shortcut and outbox kind, by feature.

`register(app)` binds each Slack surface to its listener; `outbox_kinds()` is every feature's
timed messages, and `CHAINS` those a reinstall plans again. "Where does Accept go?" is one grep
of this file. Bolt runs the first listener that matches, in the order registered here.
"""

from __future__ import annotations

from collections.abc import Mapping

from slack_bolt.async_app import AsyncApp

from bot.kinds import Kind, PlanAgain
from handlers import errors, fallback, ids, snooze
from handlers.admin import digest
from handlers.admin import settings as admin_settings
from handlers.booking import manage, offer, pick
from handlers.booking import reminders as booking_reminders
from handlers.commands.mentor import COMMAND, mentor_command
from handlers.directory import find, profile
from handlers.events import home as home_events
from handlers.events import mention, uninstall
from handlers.feedback import actions as feedback
from handlers.feedback import kinds as feedback_kinds
from handlers.home import actions as home
from handlers.intros import answer, answered, connected, entry, withdrawn
from handlers.intros import followups as intro_followups
from handlers.intros import step as intro_step
from handlers.intros import submit as intro_submit
from handlers.notes import checkins, history, items, relationships, save, share
from handlers.notes import kinds as notes_kinds
from handlers.notes import pick as notes_pick
from handlers.privacy import forget
from handlers.requests import actions as request_actions
from handlers.requests import anonymous as request_anonymous
from handlers.requests import ask, detect, modals, nudges
from handlers.requests import step as request_step
from handlers.requests import submit as request_submit

ANY = fallback.ANYTHING
# What the short way for channel messages calls instead of Bolt (bot/app.py).
MESSAGE_LISTENER = detect.on_message
ON_ERROR = errors.on_error


def register(app: AsyncApp) -> None:
    """Attach every listener; the catch-alls go last because Bolt runs the first match."""
    app.error(errors.on_error)

    # Channel messages, by far the most frequent request, go first: Bolt builds each earlier
    # matcher's arguments reflectively before it reaches this one. `/mentor` comes next.
    app.event("message")(MESSAGE_LISTENER)  # every message, subtypes acked and skipped
    app.command(COMMAND)(mentor_command)  # its subcommands: handlers/commands/mentor.py

    # Events.
    app.event("app_home_opened")(home_events.app_home_opened)
    app.event("app_mention")(mention.app_mention)
    app.event("app_uninstalled")(uninstall.app_uninstalled)
    app.event("tokens_revoked")(uninstall.tokens_revoked)

    # Asking: the shortcut and the "turn this into a request?" prompt.
    app.shortcut(ids.MESSAGE_SHORTCUT)(ask.message_shortcut)
    app.action(ids.PROMPT_CREATE)(ask.prompt_create)
    app.action(ids.PROMPT_DISMISS)(ask.prompt_dismiss)
    app.action(ids.PROMPT_OPT_OUT)(ask.prompt_opt_out)

    # Requests: the modal's submission and the lifecycle buttons.
    app.view(ids.REQUEST_MODAL)(request_submit.request_submitted)
    app.action(ids.REQUEST_ACCEPT)(request_actions.accept)
    app.action(ids.REQUEST_DECLINE)(request_actions.decline_clicked)
    app.action(ids.REQUEST_SUGGEST)(request_actions.suggest_clicked)  # opens the intro modal
    app.action(ids.REQUEST_CLAIM)(request_actions.claim)
    app.action(ids.REQUEST_RELEASE)(request_actions.release)
    app.action(ids.REQUEST_CANCEL)(request_actions.cancel)
    app.action(ids.REQUEST_SEND_TO_POOL)(request_actions.send_to_pool)
    app.action(ids.REQUEST_REVEAL)(request_anonymous.reveal)  # an anonymous ask's answers
    app.action(ids.REQUEST_KEEP_WAITING)(request_anonymous.keep_waiting)
    app.view(ids.DECLINE_MODAL)(modals.decline_submitted)

    # The directory: the profile modal and /mentor find's Ask button.
    app.view(ids.PROFILE_MODAL)(profile.profile_submitted)
    app.action(ids.FIND_ASK)(find.ask_from_find)

    # Every nudge's Snooze and Stop these.
    app.action(ids.NUDGE_SNOOZE_DAY)(snooze.snooze_day)
    app.action(ids.NUDGE_SNOOZE_WEEK)(snooze.snooze_week)
    app.action(ids.NUDGE_STOP)(snooze.stop)

    # Booking: offer slots, pick one, then reschedule, cancel or say how it went.
    app.action(ids.OFFER_TIMES)(offer.offer_times_clicked)
    app.action(ids.SLOTS_NONE_WORK)(offer.none_work_clicked)
    app.view(ids.OFFER_MODAL)(offer.offer_submitted)
    app.view(ids.PROPOSE_MODAL)(offer.propose_submitted)
    app.action(ids.SLOT_PICK)(pick.pick_clicked)
    app.action(ids.SESSION_RESCHEDULE)(manage.reschedule_clicked)
    app.action(ids.SESSION_CANCEL)(manage.cancel_clicked)
    app.view(ids.SESSION_CANCEL_MODAL)(manage.cancel_submitted)
    app.action(ids.SESSION_LOG_NOTES)(manage.log_notes_clicked)
    app.action(ids.SESSION_HELD)(manage.held_clicked)
    app.action(ids.SESSION_MOVED)(manage.reschedule_clicked)  # mentor only, after the session
    app.action(ids.SESSION_MISSED)(manage.missed_clicked)

    # App Home's buttons (Introduce people and Log notes are with intros and notes).
    app.action(ids.HOME_ACCEPT)(home.home_accept)
    app.action(ids.HOME_OFFER_TIMES)(home.home_offer_times)
    app.action(ids.HOME_CANCEL_REQUEST)(home.home_cancel)
    app.action(ids.HOME_ASK)(home.home_ask)
    app.action(ids.HOME_PROFILE)(home.home_profile)
    app.action(ids.HOME_DIGEST)(digest.home_digest)  # the weekly digest's switch

    # Warm introductions: the modal, the expert's double opt-in, Book time, the follow-up.
    app.view(ids.INTRO_MODAL)(intro_submit.intro_submitted)
    app.action(ids.INTRO_EXPERT_ACTION)(entry.expert_chosen)
    app.action(ids.HOME_INTRO)(entry.home_intro)
    app.action(ids.INTRO_SUGGEST)(entry.suggest_again_clicked)
    app.action(ids.INTRO_ACCEPT)(answer.accept)
    app.action(ids.INTRO_DECLINE)(answer.decline)
    app.action(ids.INTRO_BOOK)(answer.book)  # starts booking on the intro's request
    app.action(ids.INTRO_FOLLOWUP_YES)(connected.followup_answered)
    app.action(ids.INTRO_FOLLOWUP_LATER)(connected.followup_answered)
    app.action(ids.INTRO_FOLLOWUP_NO)(connected.followup_answered)

    # Notes, action plans, check-ins and ongoing 1:1s.
    app.view(ids.NOTES_MODAL)(save.notes_submitted)
    app.action(ids.ITEM_DONE)(items.item_done_clicked)
    app.action(ids.ITEM_SNOOZE_WEEK)(items.item_snooze_clicked)
    app.action(ids.HOME_ITEM_DONE)(items.home_item_done)
    app.action(ids.CHECKIN_ALL_DONE)(checkins.all_done_clicked)
    app.action(ids.CHECKIN_STILL_WORKING)(checkins.still_working_clicked)
    app.action(ids.CHECKIN_ANOTHER_CHAT)(checkins.another_chat_clicked)
    app.action(ids.RELATIONSHIP_BOOK)(relationships.book_clicked)
    app.action(ids.RELATIONSHIP_PAUSE)(relationships.pause_clicked)
    app.action(ids.RELATIONSHIP_RESUME)(relationships.resume_clicked)
    app.action(ids.RELATIONSHIP_END)(relationships.end_clicked)
    app.view(ids.RELATIONSHIP_END_MODAL)(relationships.end_submitted)
    app.action(ids.NOTES_PAGE)(history.notes_page_clicked)
    app.action(ids.NOTES_LOG)(history.notes_log_clicked)
    app.action(ids.NOTES_EDIT)(history.notes_edit_clicked)
    app.action(ids.PLAN_RESEND)(share.plan_resend_clicked)
    app.action(ids.HOME_LOG_NOTES)(notes_pick.home_log_notes)
    app.view(ids.NOTES_PICK_MODAL)(notes_pick.pick_submitted)

    # Session feedback: "How was it?" answers, Say thanks and its modal.
    app.action(ids.FEEDBACK_HELPFUL)(feedback.rating_clicked)
    app.action(ids.FEEDBACK_SOMEWHAT)(feedback.rating_clicked)
    app.action(ids.FEEDBACK_NOT_REALLY)(feedback.rating_clicked)
    app.action(ids.FEEDBACK_THANKS)(feedback.thanks_clicked)
    app.view(ids.THANKS_MODAL)(feedback.thanks_submitted)

    # Admin and your data (their subcommands are rows of the /mentor table).
    app.view(ids.SETTINGS_MODAL)(admin_settings.settings_submitted)
    app.view(ids.FORGET_MODAL)(forget.forget_confirmed)

    # Workflow Builder steps (manifest.yml's `functions`): Slack's function_executed events.
    app.function(ids.STEP_REQUEST_MENTORING)(request_step.request_mentoring)
    app.function(ids.STEP_INTRODUCE)(intro_step.introduce_people)

    # Catch-alls, last: nothing Slack sends goes unanswered.
    app.event(ANY)(fallback.ignore_event)
    app.action(ANY)(fallback.stale_action)
    app.view(ANY)(fallback.stale_view)
    app.view({"type": "view_closed", "callback_id": ANY})(fallback.just_ack)
    app.shortcut(ANY)(fallback.just_ack)
    app.options(ANY)(fallback.just_ack)
    app.command(ANY)(fallback.just_ack)


# Every feature's kinds of timed message, one line per feature; bot/app.py hands them to the
# outbox, whose dispatcher never knows Block Kit.
OUTBOX_KINDS: tuple[Mapping[str, Kind], ...] = (
    nudges.KINDS,  # requests: nudges, escalation, pool re-posts, the request's own rows
    booking_reminders.KINDS,  # session reminder, "Did you meet?"
    intro_followups.KINDS,  # the expert's reminder, expiry, "Did you connect?"
    answered.KINDS,  # what the expert's answer sends: the introduction, a decline's notice
    withdrawn.KINDS,  # an intro /mentor forget withdrew, to its introducer
    notes_kinds.KINDS,  # check-ins, 1:1 cadence, action items due
    feedback_kinds.KINDS,  # "How was it?" after a held session
    digest.KINDS,  # the weekly digest for coordinators and admins
)


# Chains of timed messages, each row sent planning the next: an uninstall cancels the link
# waiting, so a reinstall plans each again (bot/installs.py); nothing else restarts them.
CHAINS: tuple[PlanAgain, ...] = (
    notes_kinds.plan_ticks_again,  # ongoing 1:1s
    digest.plan_digests_again,  # the weekly digest
)


def outbox_kinds() -> dict[str, Kind]:
    """Every kind, by name; two features claiming one name is a programming error."""
    merged: dict[str, Kind] = {}
    for feature in OUTBOX_KINDS:
        clash = merged.keys() & feature.keys()
        if clash:
            raise ValueError(f"outbox kinds declared twice: {sorted(clash)}")
        merged.update(feature)
    return merged
