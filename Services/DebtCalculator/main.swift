import Foundation
import Runtime
import ServiceHTTP

// ressus-debt-calculator: wiring only; the handlers arrive with the service's own issue.
let descriptor = ServiceDescriptor(name: "debt-calculator", schema: "debt_calculator")
exit(await ServiceHost.run(descriptor))
