import Foundation
import Runtime
import ServiceHTTP

// ressus-fns-transfer: wiring only; the handlers arrive with the service's own issue.
let descriptor = ServiceDescriptor(name: "fns-transfer", schema: "fns_transfer")
exit(await ServiceHost.run(descriptor))
