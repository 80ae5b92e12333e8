import Foundation
import Runtime
import ServiceHTTP

// ressus-deadlines: wiring only; the handlers arrive with the service's own issue.
let descriptor = ServiceDescriptor(name: "deadlines", schema: "deadlines")
exit(await ServiceHost.run(descriptor))
