"""Interactive HTML views of plan graphs: the strategy map as a page, findings on it.

:func:`view_graph` chooses what to show (plans, a focus neighbourhood) and attaches the
findings; :func:`strategy_map_layout` places it like a strategy map; :func:`render_view`
and :func:`write_view` turn it into one offline HTML page (pyvis, vis-network), and
:func:`view_fragment` into parts to embed in a report or show in a notebook. Only
:mod:`bscalign.views.html` imports pyvis.
"""

from bscalign.views.graph import MISSING, view_graph
from bscalign.views.layout import MapLayout, Region, strategy_map_layout

__all__ = ["MISSING", "MapLayout", "Region", "strategy_map_layout", "view_graph"]
