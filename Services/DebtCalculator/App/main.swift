import Foundation
import Runtime
import ServiceHTTP

// ressus-debt-calculator: wiring only; the handlers arrive with the service's own issue.
exit(await ServiceHost.run(.debtCalculator))
