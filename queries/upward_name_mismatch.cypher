// BSC204 upward-name-mismatch (warning): an upward link whose code exists in the city plan
// but whose written name differs from the city objective's.
//
// Compares each written link's name with the name of the city objective its code names,
// both as `name_key` (spaces between Chinese characters and stray separators removed).
// The suggestion is the city objective the written name fits best, when that is another
// objective: name similarity (Dice coefficient of character n-grams, `name_grams`) plus a
// bonus for the theme letter the code starts with, in points (weights, threshold and
// tie-breaking as in dangling_upward_link.cypher).
//
// Result: one row per finding, as `bscalign audit` reports it: plan, subject (the code of
// the objective or theme that wrote the link), message (English), message_zh (Traditional
// Chinese), suggestion, source (where the link is written) and node (that objective or
// theme).
//
// Parameters (in Neo4j Browser, set them first):
//   :param plan => null   // an agency plan id such as '臺北市政府消防局@108'; null: every plan
MATCH (agency:Plan {level: 'agency'})
WHERE $plan IS NULL OR agency.id = $plan
MATCH (city:Plan {id: agency.city_plan})
MATCH (link:UpwardLink {plan: agency.id})<-[:HAS_UPWARD_LINK]-(written)
WHERE link.name <> ''
// by id (<plan>:Objective:<code>): the unique index answers at once, plan and code scan
MATCH (target:Objective {id: city.id + ':Objective:' + link.code})
WHERE link.name_key <> target.name_key
WITH agency, city, written, link, target,
     CASE WHEN substring(link.code, 0, 1) =~ '[A-Z]' THEN substring(link.code, 0, 1) END
       AS hint_theme
CALL (city, link, hint_theme) {
  MATCH (candidate:Objective {plan: city.id})
  // generated: score
  WITH candidate,
       CASE WHEN size(link.name_grams) + size(candidate.name_grams) = 0 THEN 0
            ELSE (2000 * size([g IN link.name_grams WHERE g IN candidate.name_grams])
                  + (size(link.name_grams) + size(candidate.name_grams)) / 2)
                 / (size(link.name_grams) + size(candidate.name_grams))
       END
       + CASE WHEN candidate.theme = hint_theme THEN 300 ELSE 0 END AS score
  WHERE score >= 500
  WITH candidate, score
  ORDER BY score DESC, candidate.code
  // end generated
  RETURN head(collect(candidate.code)) AS best
}
RETURN agency.id AS plan,
       written.code AS subject,
       // generated: message
       'upward link of ' + written.code + ' names ' + link.code + ' \'' + link.name + '\', but '
         + city.id + ' calls ' + link.code + ' \'' + target.name + '\'' AS message,
       written.code + ' 承接 ' + link.code + '「' + link.name + '」，但 ' + city.id + ' 的 ' + link.code
         + ' 為「' + target.name + '」' AS message_zh,
       // end generated
       CASE WHEN best <> link.code THEN best END AS suggestion,
       link.source AS source,
       written AS node
