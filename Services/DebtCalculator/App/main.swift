import DebtCalculatorCore
import Foundation
import Models
import Runtime
import ServiceHTTP

// ressus-debt-calculator: consumes chargeable atendimentos (`Topics.deadlines`; the other event types
// there are acknowledged and skipped) and upstream payments (`Topics.upstreamPayments`), runs the
// collection deadlines and operator requests, and publishes charges, GRUs, payments, parcelamentos
// and CADIN changes on `Topics.debts`.
exit(await ServiceHost.run(
    .debtCalculator, migrations: DebtMigrations.all, topics: [Topics.deadlines.name, Topics.upstreamPayments.name],
    handler: DebtEventHandler(), scheduled: DebtCalculatorCore.scheduledHandlers()))
