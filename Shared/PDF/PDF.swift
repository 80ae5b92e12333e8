/// A small PDF writer.
public enum PDF {}
