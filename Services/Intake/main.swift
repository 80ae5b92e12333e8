import Foundation
import Runtime
import ServiceHTTP

// ressus-intake: wiring only; the handlers arrive with the service's own issue.
let descriptor = ServiceDescriptor(name: "intake", schema: "intake")
exit(await ServiceHost.run(descriptor))
