#!/usr/bin/python3
# Writes signatures.json: HMAC-SHA256 signatures of Jupyter message parts,
# computed with Python's hmac and hashlib, independently of the Go code.
# Run from this directory: /usr/bin/python3 gen_signatures.py > signatures.json
import hashlib
import hmac
import json

KEY = "8f2a6c1e-5d4b-4e0f-9a7b-3c2d1e0f9a8b"

CASES = [
    ("kernel_info_request",
     '{"msg_id":"a1","session":"s1","username":"u","date":"2024-01-01T00:00:00.000000Z","msg_type":"kernel_info_request","version":"5.3"}',
     '{}', '{}', '{}'),
    ("execute_request_with_parent",
     '{"msg_id":"b2","session":"s1","username":"u","date":"2024-01-01T00:00:01.000000Z","msg_type":"execute_request","version":"5.5"}',
     '{"msg_id":"a1","session":"s1","username":"u","date":"2024-01-01T00:00:00.000000Z","msg_type":"kernel_info_request","version":"5.3"}',
     '{"deletedCells":[]}',
     '{"code":"fmt.Println(\\"héllo, 世界\\")","silent":false,"store_history":true,"user_expressions":{},"allow_stdin":true,"stop_on_error":true}'),
    ("whitespace_and_unicode_bytes",
     ' { "msg_type" : "comm_msg" , "msg_id" : "c3" } ',
     '{ }', '{"x": "\u00e9"}', '{"data": {"text/plain": "\\u2603 snow"}}'),
]

vectors = []
for name, header, parent, metadata, content in CASES:
    mac = hmac.new(KEY.encode(), digestmod=hashlib.sha256)
    for part in (header, parent, metadata, content):
        mac.update(part.encode("utf-8"))
    vectors.append({"name": name, "header": header, "parent": parent,
                    "metadata": metadata, "content": content,
                    "signature": mac.hexdigest()})

print(json.dumps({
    "command": "/usr/bin/python3 gen_signatures.py > signatures.json",
    "key": KEY,
    "vectors": vectors,
}, indent=1, ensure_ascii=False))
