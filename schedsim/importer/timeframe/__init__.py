"""Reading time frames of registry outcomes ("1 month after the first CAR-T cell transfusion") into time points.

Part of ``schedsim.importer``; imports only ``schedsim.language`` besides itself.
"""
