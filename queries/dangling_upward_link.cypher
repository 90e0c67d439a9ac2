// BSC201 dangling-upward-link (error): an upward link whose code is not in the city plan.
//
// Finds every upward link written on an agency objective or theme (an UpwardLink node)
// whose code is no objective of the city plan of the same year. Agency plans whose city
// plan is not stored are skipped (unlinked-to-city reports them). The suggestion is the
// city objective the link most likely meant: the similarity of the written name to each
// city objective's name (Dice coefficient of their character n-grams, `name_grams`), plus
// 0.3 for the theme letter the written code starts with (0.05 more for its number), 0.1
// for the objective's own perspective and 0.1 for a theme whose working group the agency
// belongs to; below 0.5 nothing is proposed.
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
WHERE NOT EXISTS { (:Objective {plan: city.id, code: link.code}) }
WITH agency, city, written, link,
     // city maps name their groups' members in short (兵役局 for 臺北市政府兵役局)
     [(member:Organization)-[:MEMBER_OF]->(group:Theme {plan: city.id})
      WHERE member.name <> '' AND agency.organization ENDS WITH member.name | group.code]
       AS group_themes,
     // the written code read as theme letter, perspective letter, number (G2, GT1, GC12)
     CASE WHEN link.code =~ '[A-Z][A-Z]?[0-9]*' THEN substring(link.code, 0, 1) END
       AS hint_theme,
     CASE WHEN link.code =~ '[A-Z][A-Z][0-9]*' THEN substring(link.code, 2)
          WHEN link.code =~ '[A-Z][0-9]*' THEN substring(link.code, 1)
     END AS hint_number
CALL (city, written, link, group_themes, hint_theme, hint_number) {
  MATCH (candidate:Objective {plan: city.id})
  WITH candidate,
       CASE WHEN size(link.name_grams) + size(candidate.name_grams) = 0 THEN 0.0
            ELSE 2.0 * size([g IN link.name_grams WHERE g IN candidate.name_grams])
                 / (size(link.name_grams) + size(candidate.name_grams))
       END
       + CASE WHEN candidate.theme = hint_theme THEN 0.3 ELSE 0.0 END
       + CASE WHEN candidate.theme = hint_theme AND hint_number <> ''
                   AND candidate.code ENDS WITH hint_number THEN 0.05 ELSE 0.0 END
       + CASE WHEN candidate.perspective = written.perspective THEN 0.1 ELSE 0.0 END
       + CASE WHEN candidate.theme IN group_themes THEN 0.1 ELSE 0.0 END AS score
  WHERE score >= 0.5
  WITH candidate, score
  ORDER BY score DESC, candidate.code
  RETURN head(collect(candidate)) AS best
}
WITH agency, city, written, link, best,
     link.code =~ '[A-Z][CPLF][0-9]+' AS well_formed,
     best.code + ' ' + best.name AS meant
RETURN agency.id AS plan,
       written.code AS subject,
       'upward link ' + link.raw + ' of ' + written.code + ': ' + link.code
       + ' is not an objective of ' + city.id
       + CASE WHEN well_formed THEN '' ELSE ' (nor shaped like one: theme, perspective, number)' END
       + coalesce('; most likely ' + meant, '') AS message,
       written.code + ' 的承接代碼 ' + link.raw + '：' + link.code + ' 不是 ' + city.id + ' 的策略目標'
       + CASE WHEN well_formed THEN '' ELSE '（亦不符策略目標編碼：主題＋構面＋序號）' END
       + coalesce('；應為 ' + meant, '') AS message_zh,
       best.code AS suggestion,
       link.source AS source,
       written AS node
