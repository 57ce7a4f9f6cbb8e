// The fuzzing pass's 194-byte zip (issue 14): junk, then a zip64 end record claiming `entries` central-directory
// entries at offset 0, and an end record that defers to it. fflate's unzipSync walked all 2³²−1 of them.
export function zip64Bomb(entries: bigint = 0xffffffffn): Uint8Array {
  const bomb = new Uint8Array(96 + 56 + 20 + 22)
  const view = new DataView(bomb.buffer)
  const record = 96 // some junk first, as the fuzzed file had
  view.setUint32(record, 0x06064b50, true) // zip64 end of central directory
  view.setBigUint64(record + 24, entries, true) // entries on this disk
  view.setBigUint64(record + 32, entries, true) // entries in all
  view.setBigUint64(record + 40, 90n, true) // directory size
  view.setBigUint64(record + 48, 0n, true) // directory offset
  view.setUint32(record + 56, 0x07064b50, true) // zip64 locator
  view.setBigUint64(record + 64, BigInt(record), true)
  view.setUint32(record + 76, 0x06054b50, true) // end of central directory
  view.setUint16(record + 76 + 8, 0xffff, true) // 16-bit counts of 0xffff: "see the zip64 record"
  view.setUint16(record + 76 + 10, 0xffff, true)
  view.setUint32(record + 76 + 12, 0xffffffff, true)
  view.setUint32(record + 76 + 16, 0xffffffff, true)
  return bomb
}
