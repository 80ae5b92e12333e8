import Foundation
import Runtime
import ServiceHTTP

// ressus-deadlines: wiring only; the handlers arrive with the service's own issue.
exit(await ServiceHost.run(.deadlines))
