// BSC201 dangling-upward-link (error): an upward link whose code is not in the city plan.
//
// Finds every upward link written on an agency objective or theme (an UpwardLink node)
// whose code is no objective of the city plan of the same year. Agency plans whose city
// plan is not stored are skipped (unlinked-to-city reports them). The suggestion is the
// city objective the link most likely meant: the similarity of the written name to each
// city objective's name (Dice coefficient of their character n-grams, `name_grams`), plus
// bonuses for the theme letter the written code starts with (more for its number), for
// the objective's own perspective and for a theme whose working group the agency belongs
// to. Scores are in points (1000 = a perfect name match; the weights and the threshold
// are written from bscalign.queries.matching.Weights); a tie goes to the smaller code.
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
// the city objective by its id (<plan>:Objective:<code>): the unique index answers that at
// once, where a match on plan and code scans the plan's objectives
WHERE NOT EXISTS { (:Objective {id: city.id + ':Objective:' + link.code}) }
// city maps name their groups' members in short (兵役局 for 臺北市政府兵役局); matched from
// the city plan's themes (indexed), where a pattern comprehension scans every organization
CALL (agency, city) {
  MATCH (group:Theme {plan: city.id})<-[:MEMBER_OF]-(member:Organization)
  WHERE member.name <> '' AND agency.organization ENDS WITH member.name
  RETURN collect(group.code) AS group_themes
}
WITH agency, city, written, link, group_themes,
     // the written code read as theme letter, perspective letter, number (G2, GT1, GC12)
     CASE WHEN link.code =~ '[A-Z][A-Z]?[0-9]*' THEN substring(link.code, 0, 1) END
       AS hint_theme,
     CASE WHEN link.code =~ '[A-Z][A-Z][0-9]*' THEN substring(link.code, 2)
          WHEN link.code =~ '[A-Z][0-9]*' THEN substring(link.code, 1)
     END AS hint_number
CALL (city, written, link, group_themes, hint_theme, hint_number) {
  MATCH (candidate:Objective {plan: city.id})
  // generated: score
  WITH candidate,
       CASE WHEN size(link.name_grams) + size(candidate.name_grams) = 0 THEN 0
            ELSE (2000 * size([g IN link.name_grams WHERE g IN candidate.name_grams])
                  + (size(link.name_grams) + size(candidate.name_grams)) / 2)
                 / (size(link.name_grams) + size(candidate.name_grams))
       END
       + CASE WHEN candidate.theme = hint_theme THEN 300 ELSE 0 END
       + CASE WHEN candidate.theme = hint_theme AND hint_number <> '' AND candidate.code ENDS WITH hint_number THEN 50 ELSE 0 END
       + CASE WHEN candidate.perspective = written.perspective THEN 100 ELSE 0 END
       + CASE WHEN candidate.theme IN group_themes THEN 100 ELSE 0 END AS score
  WHERE score >= 500
  WITH candidate, score
  ORDER BY score DESC, candidate.code
  // end generated
  RETURN head(collect(candidate)) AS best
}
WITH agency, city, written, link, best,
     // generated: well-formed
     link.code =~ '[A-Z][CPLF][0-9]+' AS well_formed
     // end generated
RETURN agency.id AS plan,
       written.code AS subject,
       // generated: message
       'upward link ' + link.raw + ' of ' + written.code + ': ' + link.code
         + ' is not an objective of ' + city.id
         + CASE WHEN NOT well_formed THEN ' (nor shaped like one: theme, perspective, number)' ELSE '' END
         + CASE WHEN best IS NOT NULL THEN '; most likely ' + best.code + ' ' + best.name ELSE '' END AS message,
       written.code + ' 的承接代碼 ' + link.raw + '：' + link.code + ' 不是 ' + city.id + ' 的策略目標'
         + CASE WHEN NOT well_formed THEN '（亦不符策略目標編碼：主題＋構面＋序號）' ELSE '' END
         + CASE WHEN best IS NOT NULL THEN '；應為 ' + best.code + ' ' + best.name ELSE '' END AS message_zh,
       // end generated
       best.code AS suggestion,
       link.source AS source,
       written AS node
