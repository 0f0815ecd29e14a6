"""Build models/pose_landmarker_full.task from the tflite files in the mediapipe 0.10.21 wheel.

mediapipe 1.2.x ships no model and its official .task files cannot be downloaded here, so this
script rebuilds the "full" PoseLandmarker bundle from the wheel's raw tflite files. The landmark
model lacks the image-normalization metadata that MediaPipe Tasks requires; we add it (mean 0,
std 255, identifier M001) with flatbuffers and the schema modules inside mediapipe 1.2.x.

Usage: python models/build_pose_model.py [--wheel PATH.whl] [--out PATH.task]
Without --wheel it runs `pip download --no-deps mediapipe==0.10.21` into a temporary folder.
The output is byte-for-byte reproducible: fixed zip timestamps, stored entries, fixed order.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import flatbuffers
from mediapipe.tasks.metadata import metadata_schema_py_generated as meta_fb
from mediapipe.tasks.metadata import schema_py_generated as tflite_fb

WHEEL_SPEC = "mediapipe==0.10.21"
DETECTOR = "mediapipe/modules/pose_detection/pose_detection.tflite"
LANDMARKER = "mediapipe/modules/pose_landmark/pose_landmark_full.tflite"
HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "pose_landmarker_full.task"
ZIP_DATE = (2020, 1, 1, 0, 0, 0)


def download_wheel(folder: Path) -> Path:
    """Fetch the mediapipe 0.10.21 wheel for this platform with pip; return its path."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
         "-q", "-d", str(folder), WHEEL_SPEC],
        check=True,
    )
    wheels = sorted(glob.glob(str(folder / "mediapipe-0.10.21-*.whl")))
    if not wheels:
        raise SystemExit(f"pip download {WHEEL_SPEC} gave no wheel in {folder}")
    return Path(wheels[0])


def image_metadata() -> bytes:
    """Metadata flatbuffer declaring an RGB float input normalized as (x - 0) / 255."""
    norm = meta_fb.NormalizationOptionsT()
    norm.mean = [0.0]
    norm.std = [255.0]
    unit = meta_fb.ProcessUnitT()
    unit.optionsType = meta_fb.ProcessUnitOptions.NormalizationOptions
    unit.options = norm
    props = meta_fb.ImagePropertiesT()
    props.colorSpace = meta_fb.ColorSpaceType.RGB
    content = meta_fb.ContentT()
    content.contentPropertiesType = meta_fb.ContentProperties.ImageProperties
    content.contentProperties = props
    tensor = meta_fb.TensorMetadataT()
    tensor.name = "image"
    tensor.content = content
    tensor.processUnits = [unit]
    subgraph = meta_fb.SubGraphMetadataT()
    subgraph.inputTensorMetadata = [tensor]
    model = meta_fb.ModelMetadataT()
    model.name = "pose_landmark_full"
    model.description = "MediaPipe pose landmark model (full), from mediapipe 0.10.21."
    model.version = "v1"
    model.minParserVersion = "1.0.0"
    model.subgraphMetadata = [subgraph]
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"M001")
    return bytes(builder.Output())


def add_metadata(model_bytes: bytes, metadata: bytes) -> bytes:
    """Return the tflite model with `metadata` attached as its TFLITE_METADATA buffer."""
    model = tflite_fb.ModelT.InitFromObj(tflite_fb.Model.GetRootAsModel(model_bytes, 0))
    model.metadata = [m for m in (model.metadata or []) if m.name != b"TFLITE_METADATA"]
    buffer = tflite_fb.BufferT()
    buffer.data = list(metadata)
    model.buffers.append(buffer)
    entry = tflite_fb.MetadataT()
    entry.name = "TFLITE_METADATA"
    entry.buffer = len(model.buffers) - 1
    model.metadata.append(entry)
    builder = flatbuffers.Builder(len(model_bytes) + len(metadata) + 4096)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def build(wheel: Path, out: Path) -> str:
    """Write the .task bundle built from `wheel` to `out`; return its sha256."""
    with zipfile.ZipFile(wheel) as whl:
        detector = whl.read(DETECTOR)
        landmarker = add_metadata(whl.read(LANDMARKER), image_metadata())
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as task:
        for name, data in (("pose_detector.tflite", detector),
                           ("pose_landmarks_detector.tflite", landmarker)):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            task.writestr(info, data)
    return hashlib.sha256(out.read_bytes()).hexdigest()


def main() -> None:
    """Command-line entry: build the bundle and print its checksum."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="mediapipe-0.10.21 wheel (else pip download)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or download_wheel(Path(tmp))
        digest = build(wheel, args.out)
    (args.out.parent / (args.out.name + ".sha256")).write_text(f"{digest}  {args.out.name}\n")
    print(f"{args.out}  sha256 {digest}")


if __name__ == "__main__":
    main()
