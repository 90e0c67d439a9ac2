// BSC401 malformed-code (error): a code of the wrong shape or contradicting its parent.
//
// Shapes: a theme is one letter (A); an objective theme + perspective + number (AC1;
// city-wide TC1); a KPI its objective's code + .n (AC1.1); an action plan its KPI's code +
// .n (AC1.1.1). A KPI must start with the code of the objective it MEASURES, an action
// plan with that of a KPI it SUPPORTS, an objective (other than TC...) with the letter of
// its theme (IN_THEME). The suggestion is the code the item would have under its first
// parent (in id order), when no item of that kind has it already.
//
// Result: one row per finding, as `bscalign audit` reports it: plan, subject (the code),
// message (English), message_zh (Traditional Chinese), suggestion, source (file:line) and
// node (the item).
//
// Parameters (in Neo4j Browser, set them first):
//   :param plan => null   // a plan id such as '臺北市政府消防局@108'; null: every plan
MATCH (item:Theme|Objective|KPI|ActionPlan)
WHERE $plan IS NULL OR item.plan = $plan
WITH item,
     // generated: kind
     head([label IN labels(item) WHERE label IN ['Theme', 'Objective', 'KPI', 'ActionPlan']]) AS kind
     // end generated
// its parents' codes: an objective's theme, a KPI's objectives, an action plan's KPIs (per
// item, not grouped over the graph: a grouping of every item outgrows the server's memory)
WITH item, kind, [(item)-[:IN_THEME|MEASURES|SUPPORTS]->(parent) | parent.code] AS parent_codes,
     // the parent code the item's own code names
     CASE WHEN kind = 'Objective' AND NOT item.code STARTS WITH 'T'
            THEN substring(item.code, 0, 1)
          WHEN kind IN ['KPI', 'ActionPlan'] AND item.code CONTAINS '.'
            THEN substring(item.code, 0, size(item.code) - size(last(split(item.code, '.'))) - 1)
     END AS named_parent,
     // generated: well-formed
     CASE kind
       WHEN 'Theme' THEN item.code =~ '[A-Z]'
       WHEN 'Objective' THEN CASE WHEN item.code STARTS WITH 'T' THEN item.code =~ 'TC[0-9]+' ELSE item.code =~ '[A-Z][CPLF][0-9]+' END
       WHEN 'KPI' THEN item.code =~ '[A-Z][CPLF][0-9]+[.][0-9]+'
       WHEN 'ActionPlan' THEN item.code =~ '[A-Z][CPLF][0-9]+[.][0-9]+[.][0-9]+'
     END AS well_formed
     // end generated
WITH item, kind, well_formed,
     size(parent_codes) > 0 AND NOT coalesce(named_parent IN parent_codes, false) AS misplaced
WHERE NOT well_formed OR misplaced
// a finding's parents in id order
CALL (item) {
  OPTIONAL MATCH (item)-[:IN_THEME|MEASURES|SUPPORTS]->(parent)
  WITH parent
  ORDER BY parent.id
  RETURN [p IN collect(parent) | p.code] AS parents
}
// renumbered under its first parent: that parent's code + the item's own last number
WITH item, kind, parents, well_formed, misplaced,
     CASE WHEN misplaced AND kind IN ['KPI', 'ActionPlan']
               // generated: number
               AND last(split(item.code, '.')) =~ '[0-9]+'
               // end generated
            THEN parents[0] + '.' + last(split(item.code, '.'))
     END AS renumbered
// unless an item of that kind has that code: looked up by id (<plan>:<kind>:<code>), which
// the unique index answers at once where a match on plan and code scans
WITH item, kind, parents, well_formed, misplaced, renumbered,
     item.plan + ':' + kind + ':' + renumbered AS renumbered_id
WITH item, kind, parents, well_formed, misplaced,
     CASE WHEN NOT EXISTS { (:KPI {id: renumbered_id}) }
               AND NOT EXISTS { (:ActionPlan {id: renumbered_id}) }
            THEN renumbered
     END AS suggestion
WITH item, kind, suggestion, well_formed, misplaced,
     substring(reduce(codes = '', code IN parents | codes + ', ' + code), 2) AS listed
WITH item, kind, suggestion,
     // generated: problems
     CASE WHEN well_formed THEN [] ELSE [['is not shaped ' + {Theme: 'one letter (A)', Objective: 'theme + perspective + number (AC1)', KPI: 'objective code + .n (AC1.1)', ActionPlan: 'KPI code + .n (AC1.1.1)'}[kind],
       '不符編碼格式（'
       + {Theme: '一個字母，如 A', Objective: '主題＋構面＋序號，如 AC1', KPI: '策略目標代碼＋.序號，如 AC1.1', ActionPlan: 'KPI 代碼＋.序號，如 AC1.1.1'}[kind]
       + '）']] END
     + CASE WHEN misplaced THEN [['is listed under ' + {Objective: 'theme', KPI: 'objective', ActionPlan: 'KPI'}[kind] + ' ' + listed,
       '卻列於' + {Objective: '策略主題', KPI: '策略目標', ActionPlan: 'KPI'}[kind] + ' ' + listed
       + ' 之下']] ELSE [] END AS problems
     // end generated
RETURN item.plan AS plan,
       item.code AS subject,
       // generated: message
       {Theme: 'theme', Objective: 'objective', KPI: 'KPI', ActionPlan: 'action plan'}[kind]
         + ' code ' + item.code + ' '
         + substring(reduce(text = '', problem IN problems | text + ' and ' + problem[0]), 5) AS message,
       {Theme: '策略主題', Objective: '策略目標', KPI: 'KPI', ActionPlan: '行動方案'}[kind] + '代碼 ' + item.code
         + ' '
         + substring(reduce(text = '', problem IN problems | text + '，' + problem[1]), 1) AS message_zh,
       // end generated
       suggestion,
       item.source AS source,
       item AS node
