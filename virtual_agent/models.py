"""The virtual agent's data: where it answers first, its topics as flows of steps (edited in the admin, run by one
engine), its commands per language, and each conversation's session with it."""

from django.db import models
from django.db.models import Q

from virtual_agent.understanding import listed


def translated(translations: object, language: str) -> dict:
    """One language's entry of a `translations` field, as admins may have typed it: a dict, or nothing."""
    found = translations.get(language) if isinstance(translations, dict) else None
    return found if isinstance(found, dict) else {}


class FrontDoorMode(models.TextChoices):
    ALWAYS = "always", "Answers every conversation a customer starts"
    OUT_OF_HOURS = "out_of_hours", "Answers only while the customer's queue is closed"
    OFF = "off", "Off: routing queues every conversation for a person"


class BusinessNumberSetting(models.Model):
    """Whether the virtual agent answers first on a business number; the row with no number covers the rest.
    With no row at all it is off (an installation switches it on; the demo does)."""

    account_id = models.CharField(
        max_length=64, blank=True, unique=True, help_text="The business number's id; empty: every other number."
    )
    mode = models.CharField(max_length=16, choices=FrontDoorMode.choices, default=FrontDoorMode.ALWAYS)

    class Meta:
        ordering = ["account_id"]
        verbose_name = "business number setting"

    def __str__(self) -> str:
        return f"{self.account_id or 'every other number'}: {self.get_mode_display()}"


class Topic(models.Model):
    """Something the virtual agent helps with: a flow of steps, offered in its menu and found by its words."""

    key = models.SlugField(max_length=64, unique=True, help_text="Routing rules match it as the handoff topic.")
    name = models.CharField(max_length=24, help_text="As the menu shows it (WhatsApp shows 24 characters).")
    description = models.CharField(max_length=72, blank=True)
    synonyms = models.TextField(blank=True, help_text="Comma-separated words and phrases customers use for it.")
    order = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(default=True)
    in_menu = models.BooleanField(default=True, help_text="Offered in the menu; otherwise found by its words only.")
    translations = models.JSONField(
        default=dict,
        blank=True,
        help_text='By language code: {"de": {"name": "…", "description": "…", "synonyms": "…"}}; what a language '
        "leaves out is said as above. Every language's synonyms find the topic.",
    )

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def text(self, field: str, language: str) -> str:
        """Its name or description in the language, else as written."""
        return str(translated(self.translations, language).get(field) or getattr(self, field))

    def words(self) -> tuple[str, ...]:
        """Its names and synonyms in every language: a customer is understood whichever language they write in."""
        names = [self.name, *listed(self.synonyms)]
        for translation in (self.translations if isinstance(self.translations, dict) else {}).values():
            if isinstance(translation, dict):
                names += [str(translation.get("name") or ""), *listed(str(translation.get("synonyms") or ""))]
        return tuple(dict.fromkeys(name for name in names if name))


class StepKind(models.TextChoices):
    MESSAGE = "message", "Say the prompt, then go on"
    CHOICE = "choice", "Ask to choose (options, or options from a source)"
    YES_NO = "yes_no", "Ask yes or no"
    TEXT = "text", "Ask for text"
    NUMBER = "number", "Ask for a number"
    DATE = "date", "Ask for a date"
    FILE = "file", "Ask for a photo or document"
    LOCATION = "location", "Ask for a location"
    LINK = "link", "Send a link"
    SHOW = "show", "Show something from a source (an article, the customer's cases)"
    CATALOG_QUESTIONS = "catalog_questions", "Ask the chosen catalog item's questions in turn"
    ACTION = "action", "Do something (open a case, submit a request, add a comment)"
    HANDOFF = "handoff", "Hand over to a live agent"
    END = "end", "Say the prompt and end the topic (resolved)"
    GO_TO = "go_to", "Continue with another topic"


class Step(models.Model):
    """One step of a topic. Steps run in order unless `next_step` (or the chosen option's `next`) names another.

    The prompt may name answers given so far as {answer} and the customer as {name}. Options are
    `[{"id", "title", "description", "synonyms", "next"}]`; `source` names where options, shown content or an action
    come from (virtual_agent/sources.py)."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(default=10)
    key = models.SlugField(max_length=64)
    kind = models.CharField(max_length=24, choices=StepKind.choices)
    prompt = models.TextField(blank=True)
    options = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=64, blank=True)
    store_as = models.SlugField(max_length=64, blank=True, help_text="The answer's name in the session.")
    next_step = models.SlugField(max_length=64, blank=True, help_text="Empty: the next step in order.")
    optional = models.BooleanField(default=False, help_text="The customer may answer 'skip'.")
    minimum = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    maximum = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    url = models.URLField(blank=True, help_text="For a link step.")
    go_to_topic = models.SlugField(max_length=64, blank=True, help_text="For a go-to or hand-over step: a topic key.")
    translations = models.JSONField(
        default=dict,
        blank=True,
        help_text='By language code: {"de": {"prompt": "…", "titles": {"option id": "…"}}}; what a language leaves '
        "out is said as above.",
    )

    class Meta:
        ordering = ["topic", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["topic", "key"], name="unique_step_key_per_topic")]

    def __str__(self) -> str:
        return f"{self.topic.key}.{self.key}"

    def prompt_in(self, language: str) -> str:
        return str(translated(self.translations, language).get("prompt") or self.prompt)

    def title_in(self, language: str, option_id: str, title: str) -> str:
        """An option's title in the language, else as written."""
        titles = translated(self.translations, language).get("titles")
        return str(titles.get(option_id) or title) if isinstance(titles, dict) else title


class CommandAction(models.TextChoices):
    AGENT = "agent", "Talk to a live agent"
    HELP = "help", "Help"
    RESTART = "restart", "Start over"
    BYE = "bye", "End the conversation"
    TRANSCRIPT = "transcript", "Send the transcript"
    STATUS = "status", "My open cases"
    NOTIFICATIONS = "notifications", "Notification settings"


class CommandLanguage(models.Model):
    """One language's command words and what the virtual agent says in it (phrases left out use English)."""

    code = models.CharField(max_length=16, unique=True, help_text="e.g. en, de, es")
    name = models.CharField(max_length=64)
    phrases = models.JSONField(
        default=dict, blank=True, help_text="The virtual agent's sentences by key (virtual_agent/phrases.py)."
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class CommandWord(models.Model):
    language = models.ForeignKey(CommandLanguage, on_delete=models.CASCADE, related_name="words")
    word = models.CharField(max_length=64, help_text="Matched as the whole message, ignoring case and accents.")
    action = models.CharField(max_length=16, choices=CommandAction.choices)

    class Meta:
        ordering = ["language", "action", "word"]
        constraints = [models.UniqueConstraint(fields=["language", "word"], name="unique_command_word_per_language")]

    def __str__(self) -> str:
        return f"{self.word} ({self.get_action_display().lower()})"


class SessionState(models.TextChoices):
    ACTIVE = "active", "Talking with the virtual agent"
    HANDED_OFF = "handed_off", "Handed to a live agent"
    ENDED = "ended", "Ended"


class Session(models.Model):
    """The virtual agent's state in one conversation. Changed only under the interaction's lock; `handled_through`
    is the last customer message it acted on, so a repeated or late listener run acts on nothing twice."""

    interaction = models.OneToOneField("interactions.Interaction", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=16, choices=SessionState.choices, default=SessionState.ACTIVE)
    language = models.CharField(max_length=16, default="en")
    topic = models.ForeignKey(Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    step_key = models.CharField(max_length=64, blank=True, help_text="Empty with no topic: the menu.")
    answers = models.JSONField(default=dict, blank=True)
    context = models.JSONField(default=dict, blank=True, help_text="The control being answered, its page, sources.")
    misunderstandings = models.PositiveSmallIntegerField(default=0)
    handled_through = models.PositiveIntegerField(default=0, help_text="The sequence of the last message acted on.")
    last_prompt_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["last_prompt_at"], condition=Q(state="active"), name="active_sessions_by_prompt")
        ]

    def __str__(self) -> str:
        return f"virtual agent in {self.interaction_id} ({self.state})"
