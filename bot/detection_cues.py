"""The cue tables the ask classifier scores with: phrases, weights and their triggers."""

from __future__ import annotations

import re

# --- cues ------------------------------------------------------------------------------------
# Shared fragments. Text is lowercase, so the UPPERCASE tokens can't collide with words.
_QTY = (
    r"(?:a|an|one|some|any|a\s+few|few|a\s+couple(?:\s+of)?|couple(?:\s+of)?|\d+|five|ten|"
    r"fifteen|twenty|thirty|half\s+an?|a\s+spare|spare|a\s+little)"
)
_ADJ = r"(?:(?:few|spare|quick|free|little|bit\s+of|more|extra)\s+)"
_UNIT = r"(?:minutes?|seconds?|moments?|hours?|availability|bandwidth|time(?!\s+(?:zones?|off)))\b"
# "a few minutes", "15 minutes", "some time", "time"; bare "minutes" is the meeting-notes noun.
_TIME = rf"(?:{_QTY}\s*{_ADJ}*{_UNIT}|{_ADJ}*time\b(?!\s+(?:zones?|off)))"
_ASKEE = r"(?:you|you'd|(?:any|some)(?:one|body)(?:'s)?|any\s+of\s+you|folks|who)"
_NOT_PRONOUN = r"(?!(?:i|we|he|she|they|i'm|i've)\b)"
_CLAUSE_START = r"(?:^|[,.!?;:-]\s*|\b(?:hey|hi|hello|yo|so|also|and|but|please)\s+|MENTION\s+)"
_CONVERSATION = r"(?:call|chat|zoom|huddle|coffee|1:1|catch\s*-?\s*up|meeting|video\s+call|walk)"
_TALK = (
    r"(?:talk|chat|speak|meet|sync|connect|catch\s+up|sit\s+down|"
    rf"(?:do|have|grab|set\s+up|schedule|book|find|hop\s+on|jump\s+on|get\s+on)\s+(?:a|an|some)\s+"
    rf"(?:[\w-]+\s+){{0,2}}?(?:{_CONVERSATION}|time|word)\b)"
)
_ADVICE = (
    r"(?:advice|guidance|input|thoughts|take|perspective|opinion|insights?|feedback|wisdom|"
    r"two\s+cents|view|read|suggestions?)"
)
# Work the time is wanted for; a definite "the call" is an existing meeting, not a new chat.
_WORK_VERB = (
    r"(?:approve|review|merge|deploy|restart|fix|debug|look\s+at|check|update|sign|test|qa|run|"
    r"join|cover|send|fill|complete|vote|finish|take\s+a\s+look|pair|demo|present|proofread|"
    r"interview|carry|install|move(?!\s+(?:into|to|from|up))|(?:hop|jump|get)\s+on\s+the)"
)

# A cue: name, weight, trigger words and pattern. The pattern only runs when one of the trigger
# substrings is in the text, and every match contains one (tests check this), so skipping is
# free; without triggers, ~75 patterns would scan every message. Negatives need none: they only
# run on sentences a positive cue already matched.
_Cue = tuple[str, float, tuple[str, ...], re.Pattern[str]]


def _cue(name: str, weight: float, triggers: str, *alternatives: str) -> _Cue:
    words = tuple(triggers.split("|")) if triggers else ()
    return name, weight, words, re.compile("|".join(f"(?:{alt})" for alt in alternatives))


POSITIVE: tuple[_Cue, ...] = (
    # Asking someone for a slice of their time: "do you have a few minutes", "got a sec?".
    _cue(
        "time_request",
        3.0,
        "minute|second|moment|hour|time|availab|bandwidth|got",
        rf"\b{_ASKEE}\s+(?:{_NOT_PRONOUN}\w+\s+){{0,3}}?(?:have|has|got|spare|find|make|spend)\s+"
        rf"(?:me\s+)?{_TIME}",
        # Elliptic, at the start of a clause: "got a min?", "got 10?", "any time this week?".
        rf"{_CLAUSE_START}(?:(?:you\s+)?got\s+(?:a\s+few|\d+|five|ten|fifteen)\s*\?|(?:have\s+)?"
        rf"(?:you\s+)?(?:got|have)\s+(?:you\s+)?(?:got\s+)?{_TIME}|(?:any|some)\s+(?:free\s+)?time\s+"
        r"(?:this|today|tomorrow|later|next|soon)\b[^.?!]{0,20}\?)",
        rf"\b(?:can|could|may|might)\s+(?:i|we)\s+(?:please\s+)?(?:grab|borrow|steal|get|have|"
        rf"book|take|set\s+up|find)\s+{_TIME}",
        rf"\b(?:would|'d)\s+(?:really\s+)?(?:love|like|appreciate)\s+(?:to\s+(?:grab|get|borrow|steal|"
        rf"have)\s+)?{_QTY}\s*{_ADJ}*{_UNIT}",
        rf"\bany\s+chance\s+(?:of|for)\s+{_TIME}|\bmind\s+(?:giving|sparing|lending)\s+me\s+{_TIME}",
    ),
    # The same ask in other words; split out so their rarer trigger words keep them cheap.
    _cue(
        "time_request",
        3.0,
        "grab|borrow|steal|spare|word|chat|call|1:1|of your|calendar",
        r"\b(?:can|could|may|might)\s+(?:i|we)\s+(?:please\s+)?(?:grab|borrow|steal)\s+you\b",
        # The unit left out, as people do: "can you spare 10?", "could I grab 15 this week".
        r"\b(?:spare|grab|steal|borrow)\s+(?:me\s+)?(?:\d+|five|ten|fifteen|twenty|thirty)\b"
        r"(?!\s*(?:%|percent|people|units|items|tickets|bucks|dollars|quid|k\b))",
        r"\b(?:can|could|may|might)\s+(?:i|we)\s+(?:please\s+)?(?:grab|borrow|steal|get|have|book|"
        r"take|set\s+up|find)\s+(?:a|some)\s+(?:quick\s+)?(?:word|chat|call|1:1)",
        rf"\bof\s+your\s+(?:time|day|week|afternoon)\b|\b(?:{_UNIT}|space|room|slot)\s+on\s+your\s+"
        r"calendar",
    ),
    # Proposing a conversation: "can we talk?", "would you mind meeting with me?".
    _cue(
        "talk_request",
        3.0,
        "talk|chat|speak|meet|sync|connect|catch|sit down|call|zoom|huddle|coffee|1:1|walk|time|"
        "word|go over|go through|dm",
        rf"\b(?:can|could|shall|should|may|might)\s+(?:i|we)\s+(?:please\s+)?{_TALK}",
        rf"\b(?:can|could|would)\s+you\s+(?:hop|jump|get)\s+on\s+(?:a|an)\s+(?:[\w-]+\s+)?"
        rf"{_CONVERSATION}",
        rf"\b(?:chance|if|whether|maybe|perhaps)\s+(?:we|i)\s+(?:could|can|might)\s+{_TALK}",
        rf"\bmind\s+if\s+(?:we|i)\s+{_TALK}",
        rf"\b(?:would|'d)\s+(?:really\s+|so\s+)?(?:love|like|appreciate)\s+(?:to\s+)?(?:{_TALK}|"
        r"(?:a|some)\s+(?:quick\s+)?(?:chat|call|time))",
        r"\bwould\s+you\s+(?:be\s+)?(?:willing|open|up|able|happy|interested|mind|like|free|"
        r"have\s+time)\b[^.?!]{0,40}?\b(?:talk|chat|meet|meeting|call|coffee|go\s+over|"
        r"go\s+through|walk\s+me|sit\s+down|1:1)",
        r"\b(?:set\s+up|schedule|book|grab|get)\s+(?:a|some)\s+(?:quick\s+)?(?:1:1|time|chat|call|"
        r"coffee)\s+with\s+you\b",
        r"\b(?:continue|take)\s+(?:this|it|the\s+conversation)\s+(?:over|on|to|into|in)\s+"
        r"(?:a\s+)?(?:call|dms?|coffee|zoom|huddle|1:1)\b",
    ),
    # Asking for someone's judgement: "pick your brain", "run something by you".
    _cue(
        "advice_request",
        3.0,
        "brain|past you|by you|off you|off of you|your|advice|give|giving|offer|share",
        r"\bpick\s+your\s+brain",
        r"\brun\s+(?:[\w'-]+\s+){1,4}?(?:past|by)\s+you\b",
        r"\bbounce\s+(?:\w+\s+){0,3}?off\s+(?:of\s+)?you\b",
        r"\b(?:get|have|ask|hear|love|like|appreciate|value|want|need|use|seek|borrow|grateful)\s+"
        rf"(?:\w+\s+){{0,2}}?your\s+(?:honest\s+|expert\s+|career\s+)?{_ADVICE}\b",
        r"\bask\s+(?:you\s+)?(?:for\s+)?(?:some\s+|a\s+bit\s+of\s+)?(?:career\s+)?advice",
        r"\b(?:you|anyone|anybody|someone|somebody)\b[^.?!]{0,60}?\b(?:give|giving|offer|share)\s+"
        r"(?:me|us)\s+(?:some\s+|any\s+|a\s+few\s+|your\s+)?(?:career\s+)?(?:advice|guidance|"
        r"pointers|tips|feedback)\b",
        r"\b(?:willing|able|open)\s+to\s+(?:share|give|offer)\s+(?:some\s+|any\s+|their\s+|your\s+)?"
        r"(?:advice|tips|guidance|pointers|experience|insights?)\b",
    ),
    # Looking for mentoring itself: "would you mentor me", "looking for a mentor".
    _cue(
        "mentor_request",
        3.0,
        "mentor|mentee",
        r"\bmentor(?:ing)?\s+me\b|\b(?:be|being|become)\s+my\s+(?:[\w-]+\s+)?mentor\b",
        r"\bmentor\s+(?:for|to)\s+me\b",
        r"\b(?:looking\s+for|searching\s+for|seeking|find|need|want|get|like|use|recommend|suggest)\s+"
        r"(?:a|an|some)\s+(?:\w+\s+)?(?:mentor|mentorship|mentoring)\b",
        r"\b(?:willing|open|up|interested)\s+(?:to|for|in)\s+(?:mentor(?:ing)?|being\s+(?:my|a)\s+"
        r"mentor)\b",
        r"\bdo\s+you\s+(?:ever\s+)?(?:do|offer)\s+(?:any\s+)?mentoring\b",
        r"\b(?:taking|take\s+on|room\s+for|accepting)\s+(?:on\s+)?(?:any\s+|new\s+|more\s+)?mentees\b",
        r"\bhave\s+you\s+as\s+(?:a|my)\s+mentor\b",
    ),
    # Checking someone is free: "are you around?", "free for a quick call?".
    _cue(
        "availability",
        2.0,
        "free|around|available|good time|for you",
        r"\b(?:are|would|will)\s+you\s+(?:be\s+)?(?:free|around|available)\b",
        rf"{_CLAUSE_START}you\s+(?:free|around|available)\b",
        rf"\bfree\s+(?:for|to)\s+(?:a\s+)?(?:{_TIME}|quick|chat|talk|call|coffee|walk)",
        r"\bis\s+(?:now|this|today|tomorrow)\s+a\s+good\s+time\b",
        r"\b(?:time|day|slot)\s+(?:\w+\s+){0,3}?(?:that\s+)?works?\s+for\s+you\b",
    ),
    # A conversation proposed without a verb: "quick chat?", "up for a coffee?".
    _cue(
        "chat_proposal",
        2.0,
        "chat|talk|call|coffee|walk|check-in|catch|1:1|huddle|zoom|word|sync|with me|dm|message|"
        "ping|tea|lunch|to you|speak|learn from|meet|connect",
        r"\b(?:up|open)\s+(?:for|to)\s+(?:a\s+)?(?:[\w-]+\s+)?(?:coffee|chat|call|walk|talk|"
        r"check-in|catch-up|1:1)|\bup\s+for\s+(?:chatting|talking)",
        r"\b(?:quick|short|brief|virtual)\s+(?:coffee\s+)?(?:chat|call|word|catch\s*-?\s*up|sync|"
        r"huddle|coffee|zoom)\b",
        r"\b(?:talk|talking|chat|chatting|meet|go\s+over|go\s+through|sit\s+down)\b[^.?!]{0,30}?"
        r"\bwith\s+me\b",
        r"\b(?:can|could|may|mind\s+if|ok\s+if|okay\s+if)\s+i\s+(?:dm|message|call|ping)\s+you\b",
        r"\bover\s+(?:a\s+)?(?:coffee|tea|lunch|zoom|call)\b|\b(?:come|came|reach\s+out)\s+to\s+you\s+"
        r"(?:with|for)\b",
        r"\b(?:willing|open|able|available)\s+to\s+(?:chat|talk|meet|connect|speak)\b",
        r"\b(?:looking\s+for|seeking|hoping\s+to\s+find)\s+(?:someone|somebody|people|folks|anyone)"
        r"\b[^.?!]{0,60}?\b(?:chat|talk|speak|learn\s+from)",
    ),
    # Wanting guidance without naming a giver: "need some advice", "looking for perspective".
    _cue(
        "seeking_advice",
        2.0,
        "advice|guidance|mentor|perspective|pointers|sounding board|tips|help|through",
        r"\b(?:need|want|love|like|seeking|looking\s+for|could\s+use|appreciate|hoping\s+for|get|"
        r"getting)\s+(?:some\s+|a\s+bit\s+of\s+|a\s+little\s+|any\s+|real\s+)?(?:career\s+|honest\s+|"
        r"quick\s+|outside\s+|fresh\s+)?(?:advice|guidance|mentoring|mentorship|perspective|"
        r"pointers|a\s+sounding\s+board)\b",
        r"\b(?:tips|advice|pointers)\s+from\s+(?:anyone|someone|people|folks|you)\b",
        r"\bhelp\s+me\s+(?:think|talk|work\s+out|figure|sort\s+out|decide|navigate|prep|prepare|"
        r"practice|grow|plan|get\s+better|improve|become)\b|\bhelp\s+(?:figuring|thinking|deciding)",
        r"\b(?:talk|think)\s+(?:\w+\s+){0,2}?through\b",
    ),
    # The two medium-weak cues below only pass with a mentoring topic or a person addressed.
    # An open advice question: "any tips on…?" (tips on a VPN client stay below the line).
    _cue(
        "advice_question",
        1.75,
        "advice|tips|guidance|pointers|suggestions|wisdom",
        r"\bany\s+(?:\w+\s+)?(?:advice|tips|guidance|pointers|suggestions|"
        r"words\s+of\s+wisdom)\s+(?:on|for|about|re|regarding|when|how)\b",
        r"\b(?:advice|tips|guidance|pointers)\s+(?:on|about|for)\s+how\s+(?:to|do|you|i)\b",
    ),
    # Asking about someone's path or doing something together: "how did you decide…".
    _cue(
        "experience_question",
        1.5,
        "hear|learn|know|how did you|how do you|how would you|ask you|with me|together",
        r"\b(?:love|like|want|keen|curious)\s+to\s+(?:hear|learn|know)\s+(?:more\s+)?(?:about\s+)?"
        r"(?:how\s+you|your\s+(?:story|experience|journey|path|take|thoughts)|from\s+(?:you|people|"
        r"folks|anyone|someone|others))",
        r"\bhow\s+did\s+you\s+(?:decide|get|make|handle|deal|know|become|go\s+about|navigate|"
        r"transition|move)\b|\bhow\s+(?:do|would)\s+you\s+(?:deal|handle|cope|manage|balance|"
        r"decide|approach|grow)\b",
        r"\bask\s+you\s+(?:a\s+few\s+|some\s+|a\s+couple\s+(?:of\s+)?|more\s+)?(?:questions?\s+)?"
        r"about\b",
        r"\b(?:anyone|anybody|someone|somebody|you|who)\b[^.?!]{0,50}?\b(?:with\s+me|together)\b",
    ),
)

NEGATIVE: tuple[_Cue, ...] = (
    # "minutes" as meeting notes.
    _cue(
        "meeting_minutes",
        -3.0,
        "",
        r"\b(?:the|meeting|take|took|taking)\s+minutes\b(?!\s+(?:to|late|early|ago))",
        r"\bminutes\s+(?:from|of)\b(?!\s+your)|\bnotes\s*/\s*minutes|\bminutes\s*/\s*notes",
    ),
    # A duration stated as a fact: "takes a few minutes", "standup in 2 minutes".
    _cue(
        "duration_fact",
        -3.0,
        "",
        rf"\b(?:takes?|took|taking|lasts?|lasted)\s+(?:about\s+|around\s+|like\s+|only\s+|just\s+)?"
        rf"{_TIME}",
        rf"\b(?:starts?|starting|begins?|there|back|done|ready|over|ends?|standup|meeting|sync|"
        rf"call|demo|live)\s+in\s+(?:about\s+|like\s+)?{_TIME}",
        rf"\b{_UNIT}\s+(?:late|early|ago|away|left|behind)\b",
        r"\b(?:down|offline|unavailable|out)\s+for\s+(?:about\s+)?(?:a\s+few|\d+)\s+(?:minutes|hours)",
    ),
    # The writer offers their own time or help; that's not asking for someone else's.
    _cue(
        "offer",
        -3.5,
        "",
        r"\bi(?:'ve|\s+have|'ll\s+have|\s+got|'m|\s+am)?\s+(?:got\s+|have\s+)?(?:some\s+|a\s+few\s+|"
        r"a\s+couple\s+of\s+)?(?:free\s+|open\s+)?(?:time|minutes|slots?|availability|bandwidth)\b",
        r"\bif\s+(?:you|anyone|anybody|someone|somebody)\s+(?:need|needs|want|wants|would\s+like|"
        r"have\s+(?:any\s+)?questions)",
        r"\bhappy\s+to\s+(?:help|chat|talk|give|pair|review|mentor|share|answer|jump)\b",
        r"\bfeel\s+free\s+to\b|\breach\s+out\s+if\b|\b(?:dm|ping)\s+me\b|\bmy\s+calendar\b",
        r"\bi'm\s+(?:around|free|available)\b",
    ),
    # "give me a sec", "hang on", "one sec": the writer asks for patience, not advice.
    _cue(
        "hold_on",
        -3.0,
        "",
        r"(?<!you\s)\b(?:give\s+me|gimme|wait|hang\s+on|hold\s+on|back\s+in|be\s+there\s+in|brb)\s+"
        r"(?:a|an|one|1|\d+)?\s*(?:seconds?|minutes?|moments?|tick)\b|\bbrb\b",
        r"(?:^|[,.!?]\s+)(?:just\s+a|one)\s+(?:second|minute|moment)\b",
    ),
    # Reported, third-person or past: "she asked if I had a minute", "we chatted earlier".
    _cue(
        "reported",
        -3.5,
        "",
        r"\b(?!i\b)\w+\s+(?:asked|wanted\s+to\s+know|was\s+wondering|wondered)\s+(?:\w+\s+)?"
        r"(?:if|whether)\b",
        r"\bi\s+asked\s+\w+\s+(?:if|whether)\b|\bpicked\s+\w+'s\s+brain|\bran\s+it\s+by\b",
        r"\b(?:she|he|they)(?:'s|'re|\s+is|\s+are|\s+was)?\s+(?:looking|searching|hoping|trying|"
        r"wants?|wanted|needs?|would\s+like|'d\s+like)\b|\bloop\s+(?:her|him|them)\s+in\b",
        r"\b(?:give|help|mentor|coach)\s+MENTION",
        r"\b(?:we|i)\s+(?:talked|chatted|spoke|met)\s+(?:for|about|earlier|yesterday|last|already)",
        r"\bhad\s+(?:a\s+)?(?:great|good|nice|quick|long|helpful)\s+(?:chat|call|talk|session|"
        r"conversation|mentoring)",
        r"\bthanks?\s+(?:you\s+)?(?:so\s+much\s+)?for\s+(?:the|your|making|taking|all|a)\s+"
        r"(?:\w+\s+)?(?:time|chat|call|talk|advice|help|session|conversation|input|feedback)",
    ),
    # Explicit negation: "no need to chat", "don't have time".
    _cue(
        "negated",
        -4.0,
        "",
        r"\b(?:no\s+need|don't\s+need|do\s+not\s+need|no\s+longer\s+need)\s+to\s+(?:talk|chat|"
        r"meet|call|sync)",
        r"\b(?:don't|do\s+not|can't|cannot|won't|didn't)\s+(?:have|got)\s+(?:any\s+)?"
        r"(?:time|bandwidth)",
        r"\b(?:can't|cannot|won't|couldn't)\s+(?:talk|chat|meet|sync)\b|\bnever\s*mind\b|\bnvm\b",
    ),
    # Time wanted for a work task or an existing meeting, not for guidance:
    # "got a sec to approve the deploy?", "free at 3 for the vendor sync?".
    _cue(
        "work_request",
        -3.5,
        "",
        rf"\b(?:{_UNIT}|available|free|around|able)[^.?!]{{0,30}}?\bto\s+(?:help\s+(?:me\s+|us\s+)?)?"
        rf"{_WORK_VERB}\b",
        r"\b(?:the|this|my|our|a|that)\s+(?:[\w-]+\s+)?(?:pr|pull\s+request|checklist|deploy(?:ment)?|"
        r"release|build|pipeline|ticket|bug|script|deck|dashboard|commit|candidate|invoice|query|"
        r"tests?|config)\b",
        r"\b(?:can|could|would|will)\s+you\s+(?:please\s+)?(?:send|forward|post)\b",
        r"\bfor\s+the\s+(?:\w+\s+)?(?:sync|meeting|standup|call|demo|retro|planning|bridge|"
        r"incident|huddle)\b",
        r"\b(?:in|at)\s+(?:the\s+|our\s+|tomorrow's\s+|today's\s+|this\s+week's\s+|next\s+week's\s+)?"
        r"(?:(?!my\b)\w+\s+)?(?:meeting|standup|sync|retro|planning|all-hands|review)\b",
    ),
    # Musing about one day doing it: "I should really find a mentor one of these days".
    _cue(
        "musing",
        -3.0,
        "",
        r"\bi\s+(?:should|ought\s+to)\s+(?:really\s+|probably\s+)?(?:find|get|look\s+for)\b",
        r"\bone\s+of\s+these\s+days\b",
    ),
    # Announcements and reminders speak to everyone and ask no one.
    _cue(
        "announcement",
        -3.0,
        "",
        r"^(?:reminder|heads\s+up|psa|fyi|announcement|save\s+the\s+date)\b",
    ),
)

# What the gates read (bot/detection_gate.py): each gate's patterns by the key the detector
# knows them by, and each phrase cue's trigger words. bot/data/detection_gates.json is built
# from exactly these (`make gates`).
GATED = {
    "ask": {f"positive{i}": cue[3] for i, cue in enumerate(POSITIVE)},
    "rest": {f"negative{i}": cue[3] for i, cue in enumerate(NEGATIVE)},
}
TRIGGERS = {f"positive{i}": cue[2] for i, cue in enumerate(POSITIVE)}
