#!/usr/bin/env python3
"""Builds the lines of a bank-return file (docs/payment-files.md) for the demo.

Reads `ressus debitos posicao --operadora R --em DATA --json` on standard input and prints one line
`id_pagamento;gru;valor;data_pagamento;origem` per open GRU of the chosen purpose. The amount is the
position's `total` (what is due on DATA, computed by the debt calculator): this script does no
domain arithmetic, it only picks how much of that total to pay.

    demo-pagamentos.py MODO DATA [--parcelas]
      MODO em_dia   pays the total of GRUs not yet due (due date >= DATA)
           atraso   pays the total of overdue GRUs (due date < DATA): multa and juros included
           parcial  pays half of the total (rounded down to the centavo): the rest stays open
      --parcelas    installment GRUs (purpose parcela) instead of charge and reissue GRUs
"""
import json
import sys


def reais(centavos):
    """Formats integer centavos as the file's decimal text (no arithmetic on the value)."""
    return f"{centavos // 100}.{centavos % 100:02d}"


def main(argv):
    if len(argv) < 3 or argv[1] not in ("em_dia", "atraso", "parcial"):
        sys.exit(__doc__)
    mode, date = argv[1], argv[2]
    installments = "--parcelas" in argv[3:]
    position = json.load(sys.stdin)
    lines = []
    for gru in position["grus"]:
        if gru["state"] != "emitida" or gru.get("total") is None:
            continue
        if (gru["purpose"] == "parcela") != installments:
            continue
        overdue = gru["dueDate"] < date
        if mode == "em_dia" and overdue:
            sys.exit(f"GRU {gru['gru']} venceu em {gru['dueDate']}: não pode ser paga em dia em {date}")
        if mode == "atraso" and not overdue:
            sys.exit(f"GRU {gru['gru']} vence em {gru['dueDate']}: não está em atraso em {date}")
        amount = gru["total"] // 2 if mode == "parcial" else gru["total"]
        lines.append(f"DEMO-{date}-{gru['gru']};{gru['gru']};{reais(amount)};{date};banco-demo")
    print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv)
