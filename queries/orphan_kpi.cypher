// BSC101 orphan-kpi (error): a KPI that measures no objective.
//
// Finds every KPI with no MEASURES relationship to an objective. The suggestion is the
// objective its code names: everything before the code's last dot (AC1.3 -> AC1).
//
// Result: one row per finding, as `bscalign audit` reports it: plan, subject (the KPI's
// code), message (English), message_zh (Traditional Chinese), suggestion, source
// (file:line) and node (the KPI).
//
// Parameters (in Neo4j Browser, set them first):
//   :param plan => null   // a plan id such as '臺北市政府消防局@108'; null: every plan
MATCH (kpi:KPI)
WHERE ($plan IS NULL OR kpi.plan = $plan)
  AND NOT EXISTS { (kpi)-[:MEASURES]->(:Objective) }
WITH kpi,
     CASE WHEN kpi.code CONTAINS '.'
          THEN substring(kpi.code, 0, size(kpi.code) - size(last(split(kpi.code, '.'))) - 1)
     END AS parent
RETURN kpi.plan AS plan,
       kpi.code AS subject,
       // generated: message
       'KPI ' + kpi.code + ' ' + kpi.name + ' measures no objective'
         + CASE WHEN parent <> '' THEN '; its code suggests objective ' + parent ELSE '' END AS message,
       'KPI ' + kpi.code + ' ' + kpi.name + ' 未衡量任何策略目標'
         + CASE WHEN parent <> '' THEN '；依編碼應屬策略目標 ' + parent ELSE '' END AS message_zh,
       // end generated
       parent AS suggestion,
       kpi.source AS source,
       kpi AS node
