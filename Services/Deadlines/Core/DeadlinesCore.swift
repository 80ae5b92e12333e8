/// The Deadlines service: handlers and read/write model (testable without the executable).
public enum DeadlinesCore {}
