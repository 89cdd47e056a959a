/// A UTC calendar time from milliseconds since the epoch, without time zone databases.
public struct UTCTime: Sendable, Equatable {
    public let year: Int
    public let month: Int
    public let day: Int
    public let hour: Int
    public let minute: Int
    public let second: Int
    public let millisecond: Int

    /// Splits milliseconds since the epoch (non-negative) into UTC calendar fields.
    public init(milliseconds: Int64) {
        let ms = max(0, milliseconds)
        let days = Int(ms / 86_400_000)
        let msOfDay = Int(ms % 86_400_000)
        // Days to civil date: H. Hinnant's algorithm, shifted so eras start in March.
        let z = days + 719_468
        let era = z / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        month = m
        day = d
        hour = msOfDay / 3_600_000
        minute = msOfDay / 60_000 % 60
        second = msOfDay / 1000 % 60
        millisecond = msOfDay % 1000
    }

    /// `YYYY-MM-DD`, the date folder of a log file.
    public var dateFolder: String {
        text { out in
            digits(year, 4, &out); out.append(0x2D); digits(month, 2, &out); out.append(0x2D); digits(day, 2, &out)
        }
    }

    /// `YYYYMMDDTHHMMSS.mmmZ`, the middle part of an event id.
    public var compact: String {
        // Made for every event a device sends, so written as bytes, not by interpolation.
        text { out in
            digits(year, 4, &out); digits(month, 2, &out); digits(day, 2, &out)
            out.append(UInt8(ascii: "T"))
            digits(hour, 2, &out); digits(minute, 2, &out); digits(second, 2, &out)
            out.append(UInt8(ascii: "."))
            digits(millisecond, 3, &out)
            out.append(UInt8(ascii: "Z"))
        }
    }

    /// ISO 8601 with milliseconds: `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    public var iso8601: String {
        text { out in
            digits(year, 4, &out); out.append(0x2D); digits(month, 2, &out); out.append(0x2D); digits(day, 2, &out)
            out.append(UInt8(ascii: "T"))
            digits(hour, 2, &out); out.append(0x3A); digits(minute, 2, &out); out.append(0x3A); digits(second, 2, &out)
            out.append(UInt8(ascii: "."))
            digits(millisecond, 3, &out)
            out.append(UInt8(ascii: "Z"))
        }
    }

    private func text(_ write: (inout [UInt8]) -> Void) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(24)
        write(&out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The decimal digits of a value, zero-padded to at least `width`.
    private func digits(_ value: Int, _ width: Int, _ out: inout [UInt8]) {
        let decimal = String(value)
        if decimal.utf8.count < width {
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width - decimal.utf8.count))
        }
        out.append(contentsOf: decimal.utf8)
    }
}
