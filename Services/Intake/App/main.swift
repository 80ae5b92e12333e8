import Foundation
import Runtime
import ServiceHTTP

// ressus-intake: wiring only; the handlers arrive with the service's own issue.
exit(await ServiceHost.run(.intake))
