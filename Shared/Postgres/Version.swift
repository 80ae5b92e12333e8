import CLibPQ

/// The libpq version loaded at run time.
public enum LibpqVersion {
    public static var loaded: Int { Int(PQlibVersion()) }
}
