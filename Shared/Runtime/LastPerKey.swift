extension Sequence {
    /// The last element of each key, in the place of the key's first occurrence: what a multi-row
    /// upsert that updates on conflict (and may touch a row only once per statement) must receive to
    /// have the effect of upserting the elements one by one.
    public func lastPerKey<Key: Hashable>(_ key: (Element) -> Key) -> [Element] {
        var position: [Key: Int] = [:], kept: [Element] = []
        for element in self {
            let elementKey = key(element)
            if let index = position[elementKey] { kept[index] = element } else { position[elementKey] = kept.count; kept.append(element) }
        }
        return kept
    }
}
