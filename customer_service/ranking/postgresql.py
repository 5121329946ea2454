"""Ranking on PostgreSQL: weighted tsvectors (title and keywords A, question B, body and accepted answer C),
served by the GIN expression indexes of migration 0004; typos corrected with pg_trgm against the documents'
own words; titles that look like the question (trigram word similarity, its own index) count too."""

from django.db import connection

from customer_service.ranking import Ranked

# Each expression is exactly the one indexed, so the planner can use the index.
ARTICLE_VECTOR = (
    "setweight(to_tsvector('english'::regconfig, a.title), 'A') || "
    "setweight(to_tsvector('english'::regconfig, a.keywords), 'A') || "
    "setweight(to_tsvector('english'::regconfig, a.body), 'C')"
)
QUESTION_VECTOR = (
    "setweight(to_tsvector('english'::regconfig, q.title), 'A') || "
    "setweight(to_tsvector('english'::regconfig, q.body), 'B')"
)
ANSWER_VECTOR = "setweight(to_tsvector('english'::regconfig, ans.body), 'C')"

# Each term alone, so each is weighed by its own rarity: ts_rank of an OR query would let "order", in every
# article, outweigh "invoice". A document matched through its question and its answer counts once per term.
_RANKED_SQL = f"""
WITH terms AS (
    SELECT term, to_tsquery('english', term) AS query FROM unnest(%(terms)s::text[]) AS term
), hits AS (
    SELECT kind, id, term, sum(rank) AS rank FROM (
        SELECT 'article' AS kind, a.id, t.term, ts_rank({ARTICLE_VECTOR}, t.query) AS rank
        FROM customer_service_knowledgearticle a JOIN terms t ON ({ARTICLE_VECTOR}) @@ t.query
        WHERE a.status = 'published'
        UNION ALL
        SELECT 'community', q.id, t.term, ts_rank({QUESTION_VECTOR}, t.query)
        FROM customer_service_communityquestion q JOIN terms t ON ({QUESTION_VECTOR}) @@ t.query
        WHERE q.is_published
        UNION ALL
        SELECT 'community', ans.question_id, t.term, ts_rank({ANSWER_VECTOR}, t.query)
        FROM customer_service_communityanswer ans
        JOIN customer_service_communityquestion q ON q.id = ans.question_id AND q.is_published
        JOIN terms t ON ({ANSWER_VECTOR}) @@ t.query
        WHERE ans.is_accepted
    ) AS matched GROUP BY kind, id, term
), documents AS (
    SELECT (SELECT count(*) FROM customer_service_knowledgearticle WHERE status = 'published')
         + (SELECT count(*) FROM customer_service_communityquestion WHERE is_published) AS total
), weighed AS (
    SELECT kind, id, term,
           rank * ln(1 + (SELECT total FROM documents)::float / count(*) OVER (PARTITION BY term)) AS score
    FROM hits
), titles AS (
    SELECT 'article' AS kind, a.id, word_similarity(%(text)s, a.title) AS similarity
    FROM customer_service_knowledgearticle a WHERE a.status = 'published' AND %(text)s <%% a.title
    UNION ALL
    SELECT 'community', q.id, word_similarity(%(text)s, q.title)
    FROM customer_service_communityquestion q WHERE q.is_published AND %(text)s <%% q.title
)
SELECT kind, id, sum(score) AS score, array_agg(DISTINCT term) FILTER (WHERE term IS NOT NULL) AS terms FROM (
    SELECT kind, id, term, score FROM weighed
    UNION ALL
    SELECT kind, id, NULL, %(title_weight)s * similarity FROM titles
) AS scored GROUP BY kind, id ORDER BY score DESC, kind, id LIMIT %(limit)s
"""

# The documents' own words, unstemmed, with how many documents use each: what a typo is corrected to.
_CORRECTIONS_SQL = """
WITH vocabulary AS (
    SELECT word, ndoc FROM ts_stat($$
        SELECT to_tsvector('simple'::regconfig, title || ' ' || keywords || ' ' || body)
        FROM customer_service_knowledgearticle WHERE status = 'published'
        UNION ALL
        SELECT to_tsvector('simple'::regconfig, q.title || ' ' || q.body || ' ' || coalesce(ans.body, ''))
        FROM customer_service_communityquestion q
        LEFT JOIN customer_service_communityanswer ans ON ans.question_id = q.id AND ans.is_accepted
        WHERE q.is_published
    $$)
)
SELECT term, (
    SELECT word FROM vocabulary WHERE similarity(word, term) >= %(threshold)s
    ORDER BY similarity(word, term) DESC, ndoc DESC, word LIMIT 1
) FROM unnest(%(terms)s::text[]) AS term
"""

TITLE_WEIGHT = 0.3
TYPO_SIMILARITY = 0.35


def ranked(terms: list[str], *, text: str, limit: int) -> list[Ranked]:
    """Terms that none of the leading documents matched are looked up as typos; a word that is no typo comes
    back as itself (or its stem's sibling) and changes nothing."""
    rows = _ranked_rows(terms, text=text, limit=limit)
    matched = {term for row in rows for term in (row[3] or [])}
    corrections = [word for word in _corrections([t for t in terms if t not in matched]) if word not in terms]
    if corrections:
        rows = _ranked_rows([*terms, *corrections], text=text, limit=limit)
    return [Ranked(kind, pk, float(score)) for kind, pk, score, _ in rows]


def _ranked_rows(terms: list[str], *, text: str, limit: int) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(_RANKED_SQL, {"terms": terms, "text": text, "title_weight": TITLE_WEIGHT, "limit": limit})
        return cursor.fetchall()


def _corrections(terms: list[str]) -> list[str]:
    if not terms:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_CORRECTIONS_SQL, {"terms": terms, "threshold": TYPO_SIMILARITY})
        return [word for _, word in cursor.fetchall() if word]
