import Foundation
import Runtime
import ServiceHTTP

// ressus-report-publisher: wiring only; the handlers arrive with the service's own issue.
let descriptor = ServiceDescriptor(name: "report-publisher", schema: "report_publisher")
exit(await ServiceHost.run(descriptor))
