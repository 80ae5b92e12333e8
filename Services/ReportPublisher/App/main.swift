import Foundation
import Runtime
import ServiceHTTP

// ressus-report-publisher: wiring only; the handlers arrive with the service's own issue.
exit(await ServiceHost.run(.reportPublisher))
