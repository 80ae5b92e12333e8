import Foundation
import Runtime
import ServiceHTTP

// ressus-fns-transfer: wiring only; the handlers arrive with the service's own issue.
exit(await ServiceHost.run(.fnsTransfer))
