"""Reading time frames of registry outcomes ("1 month after the first CAR-T cell transfusion") into time points.

``parse`` reads a whole time frame (lists included) and is the entry point, also importable from the package
(``schedsim.importer.timeframe.parse_time_frame``); ``phrases`` reads one item; ``points`` holds what they read
into; ``words`` normalises text and names anchor events; ``parts`` takes windows, parentheses and shared units.

Part of ``schedsim.importer``; imports only ``schedsim.language`` besides itself.
"""

from schedsim.importer.timeframe.parse import parse_time_frame

__all__ = ["parse_time_frame"]
