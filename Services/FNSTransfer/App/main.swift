import FNSTransferCore
import Foundation
import Models
import Runtime
import ServiceHTTP

// ressus-fns-transfer: records settled payments per collection month, makes the monthly repasse to
// the FNS (`RepasseTransferred` on `Topics.fns`), keeps the Dados Gerais from the notifications',
// deadlines' and debts' events, and serves the public page /publico/dados-gerais.
let settings = FNSSettings.standard
exit(await ServiceHost.run(
    .fnsTransfer, migrations: FNSMigrations.all, topics: FNSTransferCore.inputTopics,
    handler: FNSEventHandler(settings: settings), scheduled: FNSTransferCore.scheduledHandlers(settings: settings),
    routes: { router, context in
        let clock = context.clock
        FNSPublicRoutes.register(on: router, database: context.database, settings: settings, today: { clock.today })
    }))
