"""Push lists (推送清单 / 推介): which evaluated achievements go to which sub-fund and which region (pure).

``model`` reads ``funds.yaml`` (the sub-funds' mandates and the recipients) with located errors;
``placement`` decides, from plain records, what fits each mandate and, for what fits none, the nearest one
and why it missed. Files, the ledger and the paper live in :mod:`tlr.app.push`.
"""
