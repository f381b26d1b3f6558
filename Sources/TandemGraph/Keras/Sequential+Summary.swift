extension Sequential {
    /// Keras' model summary table (`model.summary()`): each layer's name and type, output shape
    /// (`None` for the batch) and parameter count, then the totals, trainable and not. Columns
    /// are cut at Keras' widths, as Keras cuts them; trailing spaces are dropped.
    ///
    /// ```
    /// Model: "sequential"
    /// _________________________________________________________________
    /// Layer (type)                 Output Shape              Param #
    /// =================================================================
    /// dense (Dense)                (None, 16)                48
    /// _________________________________________________________________
    /// dense_1 (Dense)              (None, 3)                 51
    /// =================================================================
    /// Total params: 99
    /// Trainable params: 99
    /// Non-trainable params: 0
    /// _________________________________________________________________
    /// ```
    ///
    /// - Parameter print: also print the table to standard output (as Keras does).
    /// - Returns: the table.
    /// - Throws: before the model is built (by `fit`, `evaluate`, `predict`, or `compile` with
    ///   `inputShape:`), as Keras raises "This model has not yet been built".
    @discardableResult
    public func summary(print shouldPrint: Bool = true) throws -> String {
        guard let graph, built != nil, layerOutputShapes.count == layers.count else {
            throw TandemError.invalidValue(
                op: "Sequential.summary",
                reason: "this model has not yet been built: give compile an inputShape, or call fit, evaluate or predict first",
                location: nil)
        }
        let width = 65
        let positions = [29, 55, 65]  // Keras' positions [.45, .85, 1] of 65 characters
        // Keras' print_row: each field is appended, cut at its column's end, then padded to it.
        func row(_ cells: [String]) -> String {
            var line = ""
            for (cell, end) in zip(cells, positions) {
                line = String((line + cell).prefix(end))
                line += String(repeating: " ", count: end - line.count)
            }
            return String(line.reversed().drop(while: { $0 == " " }).reversed())
        }
        var lines = ["Model: \"sequential\"", String(repeating: "_", count: width)]
        lines.append(row(["Layer (type)", "Output Shape", "Param #"]))
        lines.append(String(repeating: "=", count: width))
        var total = 0, trainable = 0
        var seen: [String: Int] = [:]
        for (i, layer) in layers.enumerated() {
            let type = "\(Swift.type(of: layer))"
            let base = Self.snakeCase(type)
            let count = seen[base, default: 0]
            seen[base] = count + 1
            let name = count == 0 ? base : "\(base)_\(count)"
            var parameters = 0
            for variable in layer.variables {
                let size = variable.staticShape.reduce(1, *)
                parameters += size
                if let index = graph.variables.firstIndex(where: { $0 === variable }), graph.isTrainable[index] {
                    trainable += size
                }
            }
            total += parameters
            let shape = "(" + (["None"] + layerOutputShapes[i].map(String.init)).joined(separator: ", ") + ")"
            if i > 0 { lines.append(String(repeating: "_", count: width)) }
            lines.append(row(["\(name) (\(type))", shape, String(parameters)]))
        }
        lines.append(String(repeating: "=", count: width))
        lines.append("Total params: \(Self.grouped(total))")
        lines.append("Trainable params: \(Self.grouped(trainable))")
        lines.append("Non-trainable params: \(Self.grouped(total - trainable))")
        lines.append(String(repeating: "_", count: width))
        let table = lines.joined(separator: "\n")
        if shouldPrint { Swift.print(table) }
        return table
    }

    /// `BatchNormalization` -> `batch_normalization`, `Conv2D` -> `conv2d`, as Keras names layers.
    static func snakeCase(_ name: String) -> String {
        var result = ""
        let characters = Array(name)
        for (i, character) in characters.enumerated() {
            let startsWord = i > 0 && character.isUppercase && (characters[i - 1].isLowercase || characters[i - 1].isNumber)
                && !(characters[i - 1].isNumber && character == "D")
            if startsWord { result += "_" }
            result += character.lowercased()
        }
        return result
    }

    /// Thousands separated by commas, as Keras prints counts: 407,050.
    static func grouped(_ value: Int) -> String {
        let digits = Array(String(value))
        var result = ""
        for (i, digit) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { result += "," }
            result.append(digit)
        }
        return result
    }
}
