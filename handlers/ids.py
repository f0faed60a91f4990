"""Every action_id and callback_id the bot puts on Slack surfaces, in one place.

Block Kit builders put these on buttons and modals; handlers/__init__.py's register() binds
listeners to them. Renaming one breaks buttons already posted, so treat them as stable.
"""

from __future__ import annotations

# The ephemeral "turn this into a mentoring request?" prompt.
PROMPT_CREATE = "prompt_create_request"
PROMPT_DISMISS = "prompt_not_now"
PROMPT_OPT_OUT = "prompt_dont_ask_again"

# The request modal (views.open after /mentor ask, the shortcut or Create request).
REQUEST_MODAL = "request_modal"
MESSAGE_SHORTCUT = "ask_for_mentoring"  # declared in manifest.yml

# Buttons on the mentor's DM, the pool post and the mentee's confirmation.
REQUEST_ACCEPT = "request_accept"
REQUEST_DECLINE = "request_decline"
REQUEST_SUGGEST = "request_suggest_someone"
REQUEST_CLAIM = "request_claim"  # "I can help" on a pool post
REQUEST_RELEASE = "request_release"
REQUEST_CANCEL = "request_cancel"
REQUEST_SEND_TO_POOL = "request_send_to_pool"  # offered to the mentee after a decline
REQUEST_REVEAL = "request_reveal"  # an anonymous mentee shows their name to the offering mentor
REQUEST_KEEP_WAITING = "request_keep_waiting"  # ... or turns that offer down
# The block holding those two buttons: "request_offer:<mentor id>", the offer they answer.
REQUEST_OFFER_BLOCK = "request_offer"

# Modals opened from those buttons.
DECLINE_MODAL = "request_decline_modal"

# Inputs of the request modal: block_id (where errors go) and action_id (where the value is).
REQUEST_MENTOR_BLOCK = "request_mentor"
REQUEST_MENTOR_ACTION = "request_mentor_select"
REQUEST_TOPIC_BLOCK = "request_topic"
REQUEST_TOPIC_ACTION = "request_topic_select"
REQUEST_DETAILS_BLOCK = "request_details"
REQUEST_DETAILS_ACTION = "request_details_input"
REQUEST_DURATION_BLOCK = "request_duration"
REQUEST_DURATION_ACTION = "request_duration_select"
REQUEST_URGENCY_BLOCK = "request_urgency"
REQUEST_URGENCY_ACTION = "request_urgency_select"
REQUEST_ANONYMOUS_BLOCK = "request_anonymous"
REQUEST_ANONYMOUS_ACTION = "request_anonymous_check"
REQUEST_ANONYMOUS_VALUE = "anonymous"

# Inputs of the decline modal.
DECLINE_REASON_BLOCK = "decline_reason"
DECLINE_REASON_ACTION = "decline_reason_input"
DECLINE_SHARE_BLOCK = "decline_share"
DECLINE_SHARE_ACTION = "decline_share_checkbox"
DECLINE_SHARE_VALUE = "share"

# The mentor directory: the profile modal and its inputs, and the Ask button in /mentor find.
PROFILE_MODAL = "profile_modal"
PROFILE_OPEN_BLOCK = "profile_open"
PROFILE_OPEN_ACTION = "profile_open_choice"
PROFILE_PICK_BLOCK = "profile_pick_tags"
PROFILE_PICK_ACTION = "profile_pick_tags_select"
PROFILE_TAGS_BLOCK = "profile_tags"
PROFILE_TAGS_ACTION = "profile_tags_input"
PROFILE_BIO_BLOCK = "profile_bio"
PROFILE_BIO_ACTION = "profile_bio_input"
PROFILE_CAPACITY_BLOCK = "profile_capacity"
PROFILE_CAPACITY_ACTION = "profile_capacity_input"
PROFILE_DAYS_BLOCK = "profile_days"
PROFILE_DAYS_ACTION = "profile_days_choice"
PROFILE_START_BLOCK = "profile_start"
PROFILE_START_ACTION = "profile_start_time"
PROFILE_END_BLOCK = "profile_end"
PROFILE_END_ACTION = "profile_end_time"
PROFILE_PAUSE_BLOCK = "profile_pause"
PROFILE_PAUSE_ACTION = "profile_pause_date"
FIND_ASK = "directory_ask"

# -- timed messages about requests, snooze and stop --
NUDGE_SNOOZE_DAY = "nudge_snooze_day"
NUDGE_SNOOZE_WEEK = "nudge_snooze_week"
NUDGE_STOP = "nudge_stop"
NUDGE_CONTROLS_BLOCK = "nudge_controls"

# -- booking --
# Buttons: Offer times and None of these work carry a request id, Pick a slot id, the
# session buttons (confirmation, /mentor sessions, "did you meet?") a session id.
OFFER_TIMES = "booking_offer_times"
SLOT_PICK = "booking_pick_slot"
SLOTS_NONE_WORK = "booking_none_of_these_work"
SESSION_RESCHEDULE = "session_reschedule"
SESSION_CANCEL = "session_cancel"
SESSION_LOG_NOTES = "session_log_notes"
SESSION_HELD = "session_held_log_notes"  # "Yes — log notes"
SESSION_MOVED = "session_we_rescheduled"
SESSION_MISSED = "session_did_not_happen"
# Modals and their inputs.
OFFER_MODAL = "booking_offer_modal"
PROPOSE_MODAL = "booking_propose_modal"
SESSION_CANCEL_MODAL = "session_cancel_modal"
SLOT_BLOCKS = ("booking_slot_1", "booking_slot_2", "booking_slot_3")
SLOT_ACTION = "booking_slot_time"
TALK_NOW_BLOCK = "booking_talk_now"
TALK_NOW_ACTION = "booking_talk_now_choice"
TALK_NOW_VALUE = "talk_now"
OUTSIDE_HOURS_BLOCK = "booking_outside_hours"
OUTSIDE_HOURS_ACTION = "booking_outside_hours_choice"
OUTSIDE_HOURS_VALUE = "offer_anyway"
CANCEL_REASON_BLOCK = "session_cancel_reason"
CANCEL_REASON_ACTION = "session_cancel_reason_input"

# -- notes, action plans, check-ins, relationships --
# The Log notes modal and its inputs; item inputs are numbered 1-5 (ITEM_*_BLOCK.format(n)).
NOTES_MODAL = "notes_modal"
NOTES_BODY_BLOCK = "notes_body"
NOTES_BODY_ACTION = "notes_body_input"
ITEM_TEXT_BLOCK = "notes_item_{}_text"
ITEM_TEXT_ACTION = "notes_item_text_input"
ITEM_OWNER_BLOCK = "notes_item_{}_owner"
ITEM_OWNER_ACTION = "notes_item_owner_select"
ITEM_DUE_BLOCK = "notes_item_{}_due"
ITEM_DUE_ACTION = "notes_item_due_date"
WHAT_NEXT_BLOCK = "notes_what_next"
WHAT_NEXT_ACTION = "notes_what_next_choice"
# Buttons: item ones carry an action item id, check-in ones a check-in id, relationship ones a
# relationship id; Edit notes a note id; Log notes and Next page "<user id>" / "<user>:<page>".
ITEM_DONE = "action_item_done"
ITEM_SNOOZE_WEEK = "action_item_snooze_week"
CHECKIN_ALL_DONE = "checkin_all_done"
CHECKIN_STILL_WORKING = "checkin_still_working"
CHECKIN_ANOTHER_CHAT = "checkin_another_chat"
RELATIONSHIP_BOOK = "relationship_book_time"
RELATIONSHIP_PAUSE = "relationship_pause"
RELATIONSHIP_RESUME = "relationship_resume"
RELATIONSHIP_END = "relationship_end"
NOTES_EDIT = "notes_edit"
NOTES_LOG = "notes_log"
NOTES_PAGE = "notes_next_page"
# Ending a relationship: the modal asking for an optional closing note.
RELATIONSHIP_END_MODAL = "relationship_end_modal"
END_NOTE_BLOCK = "relationship_end_note"
END_NOTE_ACTION = "relationship_end_note_input"

# -- introductions --
# The intro modal (from /mentor intro, a request's Suggest someone else, Home, a decline notice).
INTRO_MODAL = "intro_modal"
INTRO_MENTEE_BLOCK = "intro_mentee"
INTRO_MENTEE_ACTION = "intro_mentee_select"
INTRO_EXPERT_BLOCK = "intro_expert"
INTRO_EXPERT_ACTION = "intro_expert_select"  # dispatches: the modal shows the expert's tags
INTRO_WHY_BLOCK = "intro_why"
INTRO_WHY_ACTION = "intro_why_input"
INTRO_NOTE_BLOCK = "intro_note"
INTRO_NOTE_ACTION = "intro_note_input"
# Buttons; each carries an intro id.
INTRO_ACCEPT = "intro_happy_to_help"
INTRO_DECLINE = "intro_not_right_now"
INTRO_SUGGEST = "intro_suggest_someone_else"  # to the introducer after a decline or expiry
INTRO_BOOK = "intro_book_time"
INTRO_FOLLOWUP_YES = "intro_followup_yes"
INTRO_FOLLOWUP_LATER = "intro_followup_not_yet"
INTRO_FOLLOWUP_NO = "intro_followup_no"

# -- App Home, settings, stats, export, forget --
# App Home buttons: a click there has no response_url, so they re-publish the Home tab instead.
HOME_ACCEPT = "home_accept"
HOME_OFFER_TIMES = "home_offer_times"
HOME_CANCEL_REQUEST = "home_cancel_request"
HOME_ITEM_DONE = "home_item_done"
HOME_ASK = "home_ask"
HOME_INTRO = "home_intro"
HOME_PROFILE = "home_profile"
HOME_LOG_NOTES = "home_log_notes"
HOME_DIGEST = "home_digest"
NOTES_PICK_MODAL = "notes_pick_modal"  # App Home's Log notes: whom the notes are about
NOTES_PICK_BLOCK = "notes_pick"
NOTES_PICK_ACTION = "notes_pick_user"
# /mentor settings: the modal, and each input's block_id (errors go there) and action_id.
SETTINGS_MODAL = "admin_settings_modal"
SETTINGS_POOL_BLOCK = "settings_pool"
SETTINGS_POOL_ACTION = "settings_pool_channel"
SETTINGS_ORG_POOL_BLOCK = "settings_org_pool"  # only on an org-wide install, for org admins
SETTINGS_ORG_POOL_ACTION = "settings_org_pool_channel"
SETTINGS_DETECTION_BLOCK = "settings_detection"
SETTINGS_DETECTION_ACTION = "settings_detection_choice"
SETTINGS_OFF_CHANNELS_BLOCK = "settings_detection_off"
SETTINGS_OFF_CHANNELS_ACTION = "settings_detection_off_channels"
SETTINGS_NUDGE_BLOCK = "settings_nudge"
SETTINGS_NUDGE_ACTION = "settings_nudge_hours"
SETTINGS_ESCALATE_BLOCK = "settings_escalate"
SETTINGS_ESCALATE_ACTION = "settings_escalate_hours"
SETTINGS_REPOST_BLOCK = "settings_repost"
SETTINGS_REPOST_ACTION = "settings_repost_hours"
SETTINGS_EXPIRE_BLOCK = "settings_expire"
SETTINGS_EXPIRE_ACTION = "settings_expire_hours"
SETTINGS_REMINDER_BLOCK = "settings_reminder"
SETTINGS_REMINDER_ACTION = "settings_reminder_minutes"
SETTINGS_DAYS_BLOCK = "settings_work_days"
SETTINGS_DAYS_ACTION = "settings_work_days_choice"
SETTINGS_START_BLOCK = "settings_work_start"
SETTINGS_START_ACTION = "settings_work_start_time"
SETTINGS_END_BLOCK = "settings_work_end"
SETTINGS_END_ACTION = "settings_work_end_time"
SETTINGS_COORDINATORS_BLOCK = "settings_coordinators"
SETTINGS_COORDINATORS_ACTION = "settings_coordinators_select"
SETTINGS_DIGEST_BLOCK = "settings_digest"
SETTINGS_DIGEST_ACTION = "settings_digest_choice"
# /mentor forget: the confirmation modal.
FORGET_MODAL = "privacy_forget_modal"
# Notes: Send again on "I couldn't deliver your action plan".
PLAN_RESEND = "notes_plan_resend"
# Session feedback: "How was it?" (its value is the session id), Say thanks and its modal.
FEEDBACK_HELPFUL = "feedback_helpful"
FEEDBACK_SOMEWHAT = "feedback_somewhat"
FEEDBACK_NOT_REALLY = "feedback_not_really"
FEEDBACK_THANKS = "feedback_say_thanks"
THANKS_MODAL = "feedback_thanks_modal"
THANKS_NOTE_BLOCK = "thanks_note"
THANKS_NOTE_ACTION = "thanks_note_text"
THANKS_SHARE_BLOCK = "thanks_share"
THANKS_SHARE_ACTION = "thanks_share_choice"
# /mentor settings: session feedback on or off, and the kudos channel.
SETTINGS_FEEDBACK_BLOCK = "settings_feedback"
SETTINGS_FEEDBACK_ACTION = "settings_feedback_choice"
SETTINGS_ANONYMOUS_BLOCK = "settings_anonymous"
SETTINGS_ANONYMOUS_ACTION = "settings_anonymous_choice"
SETTINGS_KUDOS_BLOCK = "settings_kudos"
SETTINGS_KUDOS_ACTION = "settings_kudos_channel"
# Which custom Slack profile fields hold skills (issue 24).
SETTINGS_SKILL_FIELDS_BLOCK = "settings_skill_fields"
SETTINGS_SKILL_FIELDS_ACTION = "settings_skill_fields_choice"
# Workflow Builder steps: the callback ids of manifest.yml's `functions`, and their inputs.
STEP_REQUEST_MENTORING = "request_mentoring"
STEP_INTRODUCE = "introduce_people"
