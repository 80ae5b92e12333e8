/// Domain types, event contracts and pure rules of the Ressarcimento ao SUS.
public enum Models {}
