// BSC205 perspective-mismatch (warning): an upward link or cause-effect edge that joins
// perspectives the wrong way.
//
// First part: an objective linked (ALIGNS_TO) to a city objective of another perspective.
// The suggestion is the city objective of its own perspective its name fits best: name
// similarity (Dice coefficient of character n-grams, `name_grams`) plus bonuses for the
// linked objective's theme and for its own perspective, in points (weights, threshold and
// tie-breaking as in dangling_upward_link.cypher).
// Second part: a written (not inferred) CAUSES edge that runs down the plan's causal order
// (`causal_order` of its Plan, from foundation to result; default FLPC).
//
// Result: one row per finding, as `bscalign audit` reports it: plan, subject (the
// objective's code), message (English), message_zh (Traditional Chinese), suggestion,
// source (file:line) and node (the objective).
//
// Parameters (in Neo4j Browser, set them first):
//   :param plan => null   // a plan id such as '臺北市政府消防局@108'; null: every plan
MATCH (o:Objective)-[:ALIGNS_TO]->(linked:Objective)
WHERE ($plan IS NULL OR o.plan = $plan)
  AND o.perspective IN ['C', 'P', 'L', 'F']
  AND linked.perspective IN ['C', 'P', 'L', 'F']
  AND o.perspective <> linked.perspective
CALL (o, linked) {
  MATCH (candidate:Objective {plan: linked.plan})
  // generated: score
  WITH candidate,
       CASE WHEN size(o.name_grams) + size(candidate.name_grams) = 0 THEN 0
            ELSE (2000 * size([g IN o.name_grams WHERE g IN candidate.name_grams])
                  + (size(o.name_grams) + size(candidate.name_grams)) / 2)
                 / (size(o.name_grams) + size(candidate.name_grams))
       END
       + CASE WHEN linked.theme =~ '[A-Z]' AND candidate.theme = linked.theme THEN 300 ELSE 0 END
       + CASE WHEN candidate.perspective = o.perspective THEN 100 ELSE 0 END AS score
  WHERE score >= 500
  WITH candidate, score
  ORDER BY score DESC, candidate.code
  // end generated
  RETURN head(collect(candidate.code)) AS best
}
WITH o, linked, best,
     // generated: names
     {C: 'customer', P: 'internal process', L: 'learning and growth', F: 'financial'} AS en,
     {C: '顧客', P: '內部流程', L: '學習成長', F: '財務'} AS zh
     // end generated
RETURN o.plan AS plan,
       o.code AS subject,
       // generated: linked
       o.code + ' (' + en[o.perspective] + ') is linked to ' + linked.code + ' ' + linked.name
         + ' (' + en[linked.perspective] + ')' AS message,
       o.code + '（' + zh[o.perspective] + '構面）承接 ' + linked.code + ' ' + linked.name + '（'
         + zh[linked.perspective] + '構面）' AS message_zh,
       // end generated
       CASE WHEN substring(best, 1, 1) = o.perspective THEN best END AS suggestion,
       o.source AS source,
       o AS node
UNION ALL
MATCH (o:Objective)-[edge:CAUSES]->(effect:Objective)
WHERE ($plan IS NULL OR o.plan = $plan)
  AND NOT coalesce(edge.inferred, false)
  AND o.perspective IN ['C', 'P', 'L', 'F']
  AND effect.perspective IN ['C', 'P', 'L', 'F']
MATCH (p:Plan {id: o.plan})
// a perspective's rank is its position in the causal order ('FLPC': F 0, L 1, P 2, C 3)
WITH o, effect, edge,
     size(split(p.causal_order, o.perspective)[0]) AS cause_rank,
     size(split(p.causal_order, effect.perspective)[0]) AS effect_rank,
     // generated: names
     {C: 'customer', P: 'internal process', L: 'learning and growth', F: 'financial'} AS en,
     {C: '顧客', P: '內部流程', L: '學習成長', F: '財務'} AS zh
     // end generated
WHERE effect_rank < cause_rank
RETURN o.plan AS plan,
       o.code AS subject,
       // generated: backwards
       'cause-effect edge ' + o.code + ' → ' + effect.code + ' runs from ' + en[o.perspective]
         + ' down to ' + en[effect.perspective] AS message,
       '因果關係 ' + o.code + ' → ' + effect.code + ' 由' + zh[o.perspective] + '構面逆向指向'
         + zh[effect.perspective] + '構面' AS message_zh,
       // end generated
       null AS suggestion,
       CASE WHEN coalesce(edge.source, '') = '' THEN o.source ELSE edge.source END AS source,
       o AS node
