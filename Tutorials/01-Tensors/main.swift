fatalError("tutorial not written yet")
