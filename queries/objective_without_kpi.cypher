// BSC103 objective-without-kpi (warning): an objective that no KPI measures.
//
// Finds every objective no KPI MEASURES. A plan with objectives but no KPI at all (a city
// strategy map published without its scorecard) is one finding about the whole plan
// instead (first part below); the second part lists objectives of plans that have KPIs.
//
// Result: one row per finding, as `bscalign audit` reports it: plan, subject (the
// objective's code, or the plan id), message (English), message_zh (Traditional Chinese),
// suggestion (none), source (file:line) and node (the objective or the plan).
//
// Parameters (in Neo4j Browser, set them first):
//   :param plan => null   // a plan id such as '臺北市政府消防局@108'; null: every plan
MATCH (p:Plan)
WHERE $plan IS NULL OR p.id = $plan
WITH p, COUNT { (:Objective {plan: p.id}) } AS objectives
WHERE objectives > 0 AND NOT EXISTS { (:KPI {plan: p.id}) }
RETURN p.id AS plan,
       p.id AS subject,
       // generated: no-kpis
       'no KPIs loaded for this plan: its ' + toString(objectives)
         + ' objectives are unmeasured (load its balanced scorecard to check them one by one)' AS message,
       '此計畫未載入任何 KPI：' + toString(objectives) + ' 項策略目標皆無衡量指標（載入其平衡計分卡以逐項檢查）' AS message_zh,
       // end generated
       null AS suggestion,
       p.source AS source,
       p AS node
UNION ALL
MATCH (o:Objective)
WHERE ($plan IS NULL OR o.plan = $plan)
  AND NOT EXISTS { (o)<-[:MEASURES]-(:KPI) }
  AND EXISTS { (:KPI {plan: o.plan}) }
RETURN o.plan AS plan,
       o.code AS subject,
       // generated: message
       'objective ' + o.code + ' ' + o.name + ' has no KPI' AS message,
       '策略目標 ' + o.code + ' ' + o.name + ' 沒有 KPI' AS message_zh,
       // end generated
       null AS suggestion,
       o.source AS source,
       o AS node
