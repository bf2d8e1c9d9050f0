"""The weekly reference feeds (DOMAIN.md §1): material weights, material master, HTS codes, tariff
rules, packaging materials and customers.

Cross-field rules are field validators on the later of the two fields, reading the earlier one from
`info.data`, so that every error names a field; a validator skips its check when the earlier field
is missing from `info.data`, because that field's own error is reported already.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import Field, ValidationInfo, field_validator

from contracts.feeds.limits import MAX_RATE_PCT, MAX_SEQUENCE, MAX_WEIGHT_PER_UNIT
from contracts.feeds.types import (
    CASE_INSENSITIVE,
    Code,
    CountryOrAny,
    DecimalNumber,
    FeedRecord,
    FlexibleDate,
    HtsCode,
    HtsPrefixOrAny,
    Iso2Country,
    MeltPourCountry,
    OptionalCode,
    OptionalDecimal,
    PipeSeparatedNames,
    SapBool,
    SmeltCastCountry,
    Text,
    ValidTo,
    WholeNumber,
)


class WeightUnit(StrEnum):
    KG = "KG"
    LB = "LB"
    G = "G"


class MaterialType(StrEnum):
    """SAP material type: FERT finished product, HAWA trading good, VERP packaging."""

    FERT = "FERT"
    HAWA = "HAWA"
    VERP = "VERP"


class RuleComponent(StrEnum):
    """The component line a tariff rule applies to; ALL applies to every component."""

    NON_METAL = "NON_METAL"
    STEEL = "STEEL"
    ALUMINUM = "ALUMINUM"
    FULL = "FULL"
    ALL = "ALL"


class Zfmior002Record(FeedRecord):
    """ZFMIOR002: weights of a material per base unit, its metal content and the metal's origin."""

    FEED: ClassVar[str] = "ZFMIOR002"

    material: Code
    plant: Code
    weight_unit: Annotated[WeightUnit, CASE_INSENSITIVE]
    net_weight: DecimalNumber = Field(
        gt=0, le=MAX_WEIGHT_PER_UNIT, description="per base unit, in weight_unit"
    )
    gross_weight: DecimalNumber = Field(le=MAX_WEIGHT_PER_UNIT, description="at least net_weight")
    steel_weight: DecimalNumber = Field(ge=0, le=MAX_WEIGHT_PER_UNIT)
    aluminum_weight: DecimalNumber = Field(
        ge=0, le=MAX_WEIGHT_PER_UNIT, description="steel + aluminum <= net_weight"
    )
    steel_melt_pour_country: MeltPourCountry = Field(
        default=None, validate_default=True, description="required when steel_weight > 0"
    )
    aluminum_smelt_country: SmeltCastCountry = Field(
        default=None, validate_default=True, description="required when aluminum_weight > 0"
    )
    aluminum_cast_country: SmeltCastCountry = Field(
        default=None, validate_default=True, description="required when aluminum_weight > 0"
    )
    valid_from: FlexibleDate

    @field_validator("gross_weight")
    @classmethod
    def _gross_holds_net(cls, gross_weight: Decimal, info: ValidationInfo) -> Decimal:
        net_weight = info.data.get("net_weight")
        if net_weight is not None and gross_weight < net_weight:
            raise ValueError(
                f"gross_weight ({gross_weight}) is less than net_weight ({net_weight});"
                " gross includes the packaging, so it is at least net"
            )
        return gross_weight

    @field_validator("aluminum_weight")
    @classmethod
    def _metal_within_net(cls, aluminum_weight: Decimal, info: ValidationInfo) -> Decimal:
        net_weight = info.data.get("net_weight")
        steel_weight = info.data.get("steel_weight")
        if net_weight is None or steel_weight is None:
            return aluminum_weight
        if steel_weight + aluminum_weight > net_weight:
            raise ValueError(
                f"steel_weight + aluminum_weight ({steel_weight + aluminum_weight})"
                f" exceeds net_weight ({net_weight})"
            )
        return aluminum_weight

    @field_validator("steel_melt_pour_country")
    @classmethod
    def _melt_pour_known_for_steel(cls, country: str | None, info: ValidationInfo) -> str | None:
        if country is None and info.data.get("steel_weight", 0) > 0:
            raise ValueError(
                "steel_melt_pour_country is required when steel_weight > 0"
                " (an ISO alpha-2 code, or OTH)"
            )
        return country

    @field_validator("aluminum_smelt_country", "aluminum_cast_country")
    @classmethod
    def _origin_known_for_aluminum(cls, country: str | None, info: ValidationInfo) -> str | None:
        if country is None and info.data.get("aluminum_weight", 0) > 0:
            raise ValueError(
                f"{info.field_name} is required when aluminum_weight > 0"
                " (an ISO alpha-2 code, or UNKNOWN)"
            )
        return country


class Zemm005Record(FeedRecord):
    """ZEMM005: the material master, which says how a material is classified for customs."""

    FEED: ClassVar[str] = "ZEMM005"

    material: Code
    description: Text
    material_type: Annotated[MaterialType, CASE_INSENSITIVE]
    product_category: Code = Field(description="key into the tariff rules, e.g. ADJUSTABLE_BASE")
    hts_code: HtsCode
    country_of_origin: Iso2Country
    base_unit: Code
    manufacturer_id: OptionalCode = Field(default=None, description="CBP MID")


class Zfmior003Record(FeedRecord):
    """ZFMIOR003: an HTS number with its general (MFN) duty rate over a validity period."""

    FEED: ClassVar[str] = "ZFMIOR003"

    hts_code: HtsCode
    description: Text
    general_rate_pct: DecimalNumber = Field(ge=0, le=MAX_RATE_PCT, description="0 = Free")
    unit_of_quantity: Code
    valid_from: FlexibleDate
    valid_to: ValidTo = Field(default=None, description="null: valid until further notice")


class Zemm007Record(FeedRecord):
    """ZEMM007: one tariff rule of a program (301, 232, IEEPA, S122, MPF, HMF, ...)."""

    FEED: ClassVar[str] = "ZEMM007"

    rule_id: Code
    program: Code
    chapter99_code: OptionalCode = Field(default=None, description="None for fees (MPF, HMF)")
    product_category: Code = Field(description="a ZEMM005 product_category, or * for any")
    hts_prefix: HtsPrefixOrAny
    country_of_origin: CountryOrAny
    component: Annotated[RuleComponent, CASE_INSENSITIVE]
    rate_pct: DecimalNumber = Field(ge=0, le=MAX_RATE_PCT, description="0 for exemption codes")
    min_metal_share_pct: OptionalDecimal = Field(default=None, ge=0, le=100)
    requires_program: OptionalCode = None
    excluded_by_program: OptionalCode = None
    min_usd: OptionalDecimal = Field(default=None, ge=0, description="fees only")
    max_usd: OptionalDecimal = Field(default=None, ge=0, description="fees only")
    sequence: WholeNumber = Field(
        ge=0, le=MAX_SEQUENCE, description="position of the layer in the tariff stack"
    )
    valid_from: FlexibleDate
    valid_to: ValidTo = Field(default=None, description="null: valid until further notice")

    @field_validator("max_usd")
    @classmethod
    def _max_not_below_min(cls, max_usd: Decimal | None, info: ValidationInfo) -> Decimal | None:
        min_usd = info.data.get("min_usd")
        if max_usd is not None and min_usd is not None and max_usd < min_usd:
            raise ValueError(f"max_usd ({max_usd}) is less than min_usd ({min_usd})")
        return max_usd


class Zemm006Record(FeedRecord):
    """ZEMM006: packaging materials, which are not declared as customs lines."""

    FEED: ClassVar[str] = "ZEMM006"

    material: Code
    description: Text
    packaging_type: Code
    is_packaging: SapBool


class Zsdr010Record(FeedRecord):
    """ZSDR010: the customer master that invoice ship-to names are matched against."""

    FEED: ClassVar[str] = "ZSDR010"

    customer_id: Code
    name: Text
    aliases: PipeSeparatedNames = Field(default_factory=list)
    country: Iso2Country
    city: Text
    active: SapBool
