"""The questions most consultation tests ask: one of each kind."""

QUESTIONS = [
    {"kind": "single", "prompt": "เห็นด้วยหรือไม่", "required": True, "options": ["เห็นด้วย", "ไม่เห็นด้วย"]},
    {"kind": "scale", "prompt": "ความสำคัญ", "required": True},
    {"kind": "text", "prompt": "ข้อเสนอแนะ", "required": False},
]
