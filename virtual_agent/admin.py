"""The virtual agent in the admin: where it answers first, its topics and steps (a simple new topic is rows here, no
code), its command words and phrases per language."""

from django.contrib import admin

from virtual_agent.models import BusinessNumberSetting, CommandLanguage, CommandWord, Step, Topic


@admin.register(BusinessNumberSetting)
class BusinessNumberSettingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "account_id", "mode"]
    list_editable = ["mode"]
    list_display_links = ["__str__"]


class StepInline(admin.StackedInline):
    model = Step
    extra = 0
    fields = [
        ("order", "key", "kind"),
        "prompt",
        ("source", "store_as", "next_step", "optional"),
        ("minimum", "maximum", "url", "go_to_topic"),
        "options",
        "translations",
    ]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "order", "is_active", "in_menu", "synonyms"]
    list_editable = ["order", "is_active", "in_menu"]
    prepopulated_fields = {"key": ["name"]}
    inlines = [StepInline]


class CommandWordInline(admin.TabularInline):
    model = CommandWord
    extra = 1


@admin.register(CommandLanguage)
class CommandLanguageAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "words_summary"]
    inlines = [CommandWordInline]

    @admin.display(description="Command words")
    def words_summary(self, language: CommandLanguage) -> str:
        return ", ".join(f"{word.word} ({word.action})" for word in language.words.all())
