// Entry point of `ressus`, the operator CLI (Portuguese).
Ressus.main()
