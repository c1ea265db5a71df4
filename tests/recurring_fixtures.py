"""The recurring-problem scenario shared by the library and service tests.

Five differently worded complaints about one blocked drain (gang 3, Kelurahan Kenanga) over three
months, among unrelated ones: other problems in the same kelurahan and the same kind of problem in
other kelurahan.
"""

from __future__ import annotations

KEC = "Kota Utara"

# (key, date, text, kelurahan, address)
DRAIN = [
    ("d1", "2024-08-05 08:10", "Saluran air di gang 3 Kenanga mampet, kalau hujan air meluap masuk rumah warga",
     "Kenanga", "Jl. Kenanga Gg 3"),
    ("d2", "2024-08-29 19:40", "Got di gg 3 kenanga tersumbat sampah, tiap hujan banjir sampai lutut",
     "Kenanga", "Kenanga gang 3"),
    ("d3", "2024-09-20 07:05", "Mohon saluran gang 3 dikeruk, mampet total dan banjir lagi semalam",
     "Kenanga", ""),
    ("d4", "2024-10-14 16:30", "Sudah dua bulan selokan gang 3 buntu, air hujan meluap ke jalan dan rumah",
     "Kenanga", "Gg. 3 RT 02"),
    ("d5", "2024-11-02 06:50", "Banjir lagi di gang 3 karena saluran tersumbat, belum ada tindak lanjut",
     "Kenanga", "Jl. Kenanga Gang 3 RT 02"),
]

OTHERS = [
    ("o1", "2024-08-10 09:00", "Lampu penerangan jalan di gang 3 Kenanga mati sudah seminggu, gelap sekali",
     "Kenanga", "Jl. Kenanga Gg 3"),
    ("o2", "2024-08-20 10:00", "KTP elektronik saya belum jadi padahal sudah rekam dua bulan lalu", "Kenanga", ""),
    ("o3", "2024-09-01 11:00", "Saluran air di gang 5 Mawar mampet, banjir kalau hujan", "Mawar", "Jl. Mawar Gg 5"),
    ("o4", "2024-09-15 12:00", "Pohon tumbang menutup jalan raya Melati setelah angin kencang", "Melati",
     "Jl. Melati Raya"),
    ("o5", "2024-10-01 13:00", "Bantuan sosial bulan ini belum cair, mohon dicek datanya", "Kenanga", ""),
    ("o6", "2024-10-20 14:00", "Jalan berlubang besar di depan pasar Anggrek, sudah ada yang jatuh", "Anggrek",
     "Pasar Anggrek"),
    ("o7", "2024-10-25 15:00", "Parkir liar di trotoar depan minimarket Kenanga mengganggu pejalan kaki",
     "Kenanga", "Minimarket Kenanga"),
    ("o8", "2024-11-01 16:00", "Selokan gang 7 Melati tersumbat, air meluap ke jalan", "Melati", "Melati Gg 7"),
]
