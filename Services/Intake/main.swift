import Foundation
import Runtime

// ressus-intake: wiring only; the handlers arrive with the service's own issue.
let descriptor = ServiceDescriptor(name: "intake", schema: "intake")
exit(await ServiceHost.run(descriptor))
